// A classic script that runs before the page's modules. When the browser refuses one of them (its
// bytes are not the ones this page pinned: altered on the way, or the page not rebuilt after a
// change), the modules never run: say so, in both languages, instead of "getting ready" forever.
addEventListener(
  "error",
  (event) => {
    if (!(event.target instanceof HTMLScriptElement) || event.target.type !== "module") return;
    const status = document.getElementById("status");
    status.classList.add("refused");
    status.replaceChildren(
      ...[
        ["strong", "本页面的程序未通过完整性校验，因此没有运行，也没有进行任何计算。"],
        ["span", "Part of this page's program did not pass its integrity check, so it did not run and nothing was worked out."],
        ["span", "请稍后再试，或到服务窗口咨询。 Please try again later or ask at a service counter."],
      ].map(([tag, text]) => Object.assign(document.createElement(tag), { textContent: text, className: tag === "strong" ? "refused-title" : "" })),
    );
    document.documentElement.dataset.stopped = "integrity";
  },
  true,
);
