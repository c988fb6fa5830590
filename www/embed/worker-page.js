// The page side: start the worker, ask it to evaluate, show the report.
const worker = new Worker(new URL("./eligo.worker.js", import.meta.url), { type: "module" });

let next = 0;
const pending = new Map();
worker.onmessage = ({ data }) => {
  const { id, report, error } = data;
  pending.get(id)?.[error ? 1 : 0](error ?? report);
  pending.delete(id);
};
const evaluate = (facts, options) =>
  new Promise((resolve, reject) => {
    pending.set(++next, [resolve, reject]);
    worker.postMessage({ id: next, facts, options });
  });

const report = await evaluate({ birth_date: "1950-03-02", hukou: "上海" }, { date: "2025-09-01", lang: "en" });
document.getElementById("result").replaceChildren(
  ...report.policies.map((p) => {
    const li = document.createElement("li");
    li.dataset.status = p.status;
    li.textContent = `${p.title}: ${p.status}` + (p.outputs.amount ? `, ¥${p.outputs.amount} a ${p.outputs.period}` : "");
    return li;
  }),
);
