// The Eligo extension: the TextMate grammar colours rule files; everything else (diagnostics in
// Chinese or English, hover, definition, references, completion, rename, formatting, quick fixes,
// the outline) comes from the language server `eligo lsp`, which shares the compiler with `eligo
// check`, so the editor and the command line never disagree.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function language() {
  const chosen = vscode.workspace.getConfiguration("eligo").get("language", "auto");
  if (chosen === "zh" || chosen === "en") return chosen;
  return vscode.env.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

async function activate(context) {
  const command = vscode.workspace.getConfiguration("eligo").get("server.path", "eligo");
  client = new LanguageClient(
    "eligo",
    "Eligo",
    { command, args: ["lsp"] },
    {
      documentSelector: [{ scheme: "file", language: "eligo" }, { scheme: "untitled", language: "eligo" }],
      initializationOptions: { lang: language() },
    },
  );
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (error) {
    const zh = language() === "zh";
    vscode.window.showErrorMessage(
      zh
        ? `无法启动 Eligo 语言服务（${command} lsp）：请安装 eligo 命令，或在设置 eligo.server.path 中指定它。${error}`
        : `Could not start the Eligo language server (${command} lsp): install the eligo command, or set eligo.server.path. ${error}`,
    );
  }
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
