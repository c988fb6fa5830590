// The worker side: load the module and the rules once, then answer { id, facts, options } messages
// with { id, report } or { id, error }.
import init, { Engine } from "../pkg/eligo.js";

const RULES = `
ruleset demo "老年人福利（示例）" en "Benefits for older residents (example)"

input birth_date: date label "出生日期" en "Date of birth"
input hukou: text label "户籍" en "Household registration"

let 年龄 = age(birth_date, today)

policy elderly_allowance "老年综合津贴" en "Old-age allowance"
  source "上海市老年综合津贴发放管理办法"
  require hukou == "上海" "具有本市户籍" en "Shanghai hukou"
  require 年龄 >= 65 "年满65周岁" en "Aged 65 or over"
  amount monthly = if 年龄 >= 70 then 150 else 75
`;

const ready = (async () => {
  await init();
  return Engine.compile({ "demo.rules": RULES });
})();

self.onmessage = async ({ data: { id, facts, options } }) => {
  try {
    const engine = await ready;
    self.postMessage({ id, report: engine.evaluate(facts, options) });
  } catch (error) {
    self.postMessage({ id, error: { name: error.name, kind: error.kind, message: error.message, problems: error.problems, diagnostics: error.diagnostics } });
  }
};
