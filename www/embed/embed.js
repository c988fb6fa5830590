// The smallest page that uses Eligo: copy index.html, this file and the built package (pkg/).
import init, { Engine } from "../pkg/eligo.js";

await init(); // fetches eligo_bg.wasm next to eligo.js

// 1. Compile a rule set (a text, or file names mapped to texts; a real page fetches its .rules files).
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
const engine = Engine.compile({ "demo.rules": RULES });

// 2. Evaluate one citizen on a date (the device's date in a real page). Money comes back as strings.
const citizen = { birth_date: "1950-03-02", hukou: "上海" };
const report = engine.evaluate(citizen, { date: "2025-09-01", lang: "en" });

// 3. Show it.
document.getElementById("citizen").textContent = JSON.stringify(citizen);
document.getElementById("result").replaceChildren(
  ...report.policies.map((p) => {
    const li = document.createElement("li");
    li.dataset.status = p.status;
    li.textContent = `${p.title}: ${p.status}` + (p.outputs.amount ? `, ¥${p.outputs.amount} a ${p.outputs.period}` : "");
    return li;
  }),
);
