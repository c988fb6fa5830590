// Form fields generated from the rule set's schema (engine.schema()): one control per input type,
// with its label, question and hint, in the page's language. No field is hard-coded: a new input in
// the rules gets a field here by its type.
import { h, uid } from "./dom.js";
import { pick, STRINGS } from "./i18n.js";

const NUMERIC = { int: /^-?\d+$/, decimal: /^-?\d+(\.\d+)?$/, money: /^-?\d+(\.\d{1,2})?$/ };

/** A form value to a fact: numbers for int, strings for money and decimals (exact), or undefined. */
export function toFact(type, raw) {
  if (raw === "" || raw == null) return undefined;
  if (type === "int") return NUMERIC.int.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (type === "decimal" || type === "money") return raw.trim().replace(/[,，\s元¥]/g, "");
  if (type === "bool") return raw === "true" ? true : raw === "false" ? false : undefined;
  return raw;
}

function factToText(value) {
  if (value === undefined || value === null) return "";
  return String(value);
}

/**
 * A field for one input (or list field).
 * options: { lang, value, onChange(value|undefined), question: use the question as the label,
 *            allowClear: offer "not given" for choices, labelText: override the label }
 * Returns an element with .focusControl() and .setError(message).
 */
export function field(input, { lang, value, onChange, question = false, allowClear = false, labelText, idPrefix = "f" }) {
  const s = STRINGS[lang];
  const id = uid(idPrefix);
  const label = labelText ?? pick(input.label, lang) ?? input.name;
  const questionText = pick(input.question, lang);
  const mainText = question && questionText ? questionText : label || input.name;
  const hints = [];
  if (question && questionText && label) hints.push(label);
  const hint = pick(input.hint, lang);
  if (hint) hints.push(hint);
  if ((input.min != null || input.max != null) && input.type !== "date" && input.type !== "int") hints.push(s.minMax(input.min, input.max));
  else if (input.type === "int" && (input.min != null || input.max != null) && !(input.min != null && input.max != null && input.max - input.min <= 5)) hints.push(s.minMax(input.min, input.max));
  const hintId = hints.length ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const hintEl = hintId ? h("p", { class: "hint", id: hintId }, hints.join(" · ")) : null;
  const errorEl = h("p", { class: "field-error", id: errorId, hidden: true });
  const describedBy = [hintId, errorId].filter(Boolean).join(" ");

  let wrapper;
  let focusTarget;

  // A small whole-number range (a disability grade 1–4) is a row of choices, not a text box.
  const smallRange = input.type === "int" && input.min != null && input.max != null && Number(input.max) - Number(input.min) <= 5;
  if (input.type === "bool" || smallRange || (input.type === "enum" && (input.options?.length ?? 0) <= 6)) {
    const choices =
      input.type === "bool"
        ? [
            { value: "true", text: s.yes },
            { value: "false", text: s.no },
          ]
        : smallRange
          ? Array.from({ length: Number(input.max) - Number(input.min) + 1 }, (_, i) => ({ value: String(Number(input.min) + i), text: String(Number(input.min) + i) }))
          : input.options.map((o) => ({ value: o.value, text: lang === "en" && o.en ? o.en : o.value }));
    if (allowClear) choices.push({ value: "", text: s.notSure, clear: true });
    const current = value === undefined || value === null ? "" : String(value);
    const name = `${id}-choice`;
    const radios = choices.map((c) => {
      const rid = `${id}-${choices.indexOf(c)}`;
      const radio = h("input", {
        type: "radio",
        name,
        id: rid,
        value: c.value,
        checked: current === c.value,
        onchange: () => onChange(input.type === "bool" || smallRange ? toFact(input.type, c.value) : c.value || undefined),
      });
      return h("div", { class: `choice${c.clear ? " choice-clear" : ""}` }, radio, h("label", { for: rid }, c.text));
    });
    focusTarget = () => radios.find((r) => r.querySelector("input").checked)?.querySelector("input") ?? radios[0].querySelector("input");
    wrapper = h(
      "fieldset",
      { class: `field field-choice type-${input.type}`, "aria-describedby": describedBy || null, dataset: { input: input.name } },
      h("legend", { class: "field-label" }, mainText),
      hintEl,
      h("div", { class: "choices" }, radios),
      errorEl,
    );
  } else if (input.type === "enum") {
    const select = h(
      "select",
      { id, "aria-describedby": describedBy || null, onchange: (e) => onChange(e.target.value || undefined) },
      h("option", { value: "" }, `— ${s.notSure} —`),
      input.options.map((o) => h("option", { value: o.value, selected: value === o.value }, lang === "en" && o.en ? o.en : o.value)),
    );
    focusTarget = () => select;
    wrapper = h("div", { class: "field type-enum", dataset: { input: input.name } }, h("label", { class: "field-label", for: id }, mainText), hintEl, select, errorEl);
  } else {
    const attrs = { id, name: id, "aria-describedby": describedBy || null, autocomplete: "off" };
    if (input.type === "date") {
      Object.assign(attrs, { type: "date", min: input.min ?? "1900-01-01", max: input.max ?? "2100-12-31" });
    } else if (input.type === "int") {
      Object.assign(attrs, { type: "text", inputmode: "numeric", pattern: "-?[0-9]*" });
    } else if (input.type === "decimal" || input.type === "money") {
      Object.assign(attrs, { type: "text", inputmode: "decimal" });
    } else {
      Object.assign(attrs, { type: "text" });
    }
    const control = h("input", attrs);
    control.value = factToText(value);
    control.addEventListener("change", () => onChange(toFact(input.type, control.value)));
    focusTarget = () => control;
    const suffix = input.type === "money" ? h("span", { class: "suffix", "aria-hidden": "true" }, lang === "zh" ? "元" : "¥") : null;
    wrapper = h(
      "div",
      { class: `field type-${input.type}`, dataset: { input: input.name } },
      h("label", { class: "field-label", for: id }, mainText),
      hintEl,
      h("div", { class: `control${suffix ? " with-suffix" : ""}` }, control, suffix),
      errorEl,
    );
  }

  wrapper.focusControl = () => focusTarget()?.focus();
  wrapper.setError = (message) => {
    errorEl.hidden = !message;
    errorEl.textContent = message ? `${s.invalid}${message}` : "";
    wrapper.classList.toggle("invalid", !!message);
    for (const c of wrapper.querySelectorAll("input, select")) {
      if (message) c.setAttribute("aria-invalid", "true");
      else c.removeAttribute("aria-invalid");
    }
  };
  return wrapper;
}

/**
 * A list of records (a household): one fieldset per member with its fields, add and remove.
 * onChange receives the whole new list.
 */
export function listField(input, { lang, value, onChange, question = false }) {
  const s = STRINGS[lang];
  const members = Array.isArray(value) ? value.map((m) => ({ ...m })) : [];
  const label = pick(input.label, lang) || input.name;
  const questionText = pick(input.question, lang);
  const commit = () => onChange(members.map((m) => ({ ...m })));
  const body = h("div", { class: "members" });
  const wrapper = h(
    "fieldset",
    { class: "field field-list", dataset: { input: input.name } },
    h("legend", { class: "field-label" }, question && questionText ? questionText : label),
    question && questionText ? h("p", { class: "hint" }, label) : null,
    body,
  );
  const render = () => {
    body.replaceChildren(
      ...members.map((member, i) =>
        h(
          "fieldset",
          { class: "member" },
          h("legend", {}, s.member(i + 1)),
          (input.fields ?? []).map((f) =>
            field(f, {
              lang,
              value: member[f.name],
              allowClear: true,
              idPrefix: `${input.name}-${i}`,
              onChange: (v) => {
                if (v === undefined) delete member[f.name];
                else member[f.name] = v;
                commit();
              },
            }),
          ),
          h("button", { type: "button", class: "button button-quiet", onclick: () => { members.splice(i, 1); render(); commit(); } }, s.removeMember(i + 1)),
        ),
      ),
      h("button", { type: "button", class: "button button-secondary add-member", onclick: () => { members.push({}); render(); commit(); body.querySelector(".member:last-of-type input, .member:last-of-type select")?.focus(); } }, `+ ${s.addMember}`),
    );
  };
  render();
  wrapper.focusControl = () => body.querySelector("input, select, button")?.focus();
  wrapper.setError = () => {};
  return wrapper;
}
