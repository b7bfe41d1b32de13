/** Before a shift is saved: refuse what cannot be true and ask about what may be a slip.
 *
 * Uses the rules of ./shifts.js (the same as server/shifts.py). A refusal says what is wrong in
 * plain words (for an overlap, which other shift it is, with a link to change it); a question
 * (did it end the next day? more than 16 hours, is that right?) waits for the worker's answer.
 * Nothing is saved until every question is answered yes.
 */
import { h, formatDate } from "../ui.js";
import { checkShift, length } from "./shifts.js";
import { duration } from "./parts.js";

/** A question with two answers in `box`; resolves true for yes. */
function ask(box, { question, detail, yes, no, id }) {
  return new Promise((resolve) => {
    const answer = (value) => () => { box.replaceChildren(); resolve(value); };
    const yesButton = h("button", { type: "button", class: "button primary", "data-answer": "yes", onclick: answer(true) }, yes);
    box.replaceChildren(h("div", { class: "card warning log-question", role: "alertdialog", "aria-labelledby": `${id}-q`, "data-question": id },
      h("p", { id: `${id}-q` }, h("strong", null, question)),
      detail ? h("p", null, detail) : null,
      h("p", { class: "log-answers" }, yesButton, " ",
        h("button", { type: "button", class: "button secondary", "data-answer": "no", onclick: answer(false) }, no))));
    yesButton.focus();
  });
}

/** The sentence that refuses `issue` for `shift`. */
export function refusalText(ctx, issue, shift) {
  const { t, lang } = ctx;
  if (issue.code === "overlap") {
    const o = issue.other;
    return t("log.check.overlap", { date: formatDate(o.date, lang), start: o.start, end: o.end });
  }
  if (issue.code === "same_time") return t("log.check.same_time", { time: shift.start });
  return t(`log.check.${issue.code}`);
}

/**
 * Check `shift` against `others` (the log's shifts) as of `today` (ISO). Shows refusals and
 * questions in `box`. Resolves the shift to save (`ends_next_day` set when the worker said so)
 * or null when it must not be saved.
 */
export async function confirmShift(ctx, box, shift, others, today) {
  const { t } = ctx;
  let current = { ...shift };
  let longOk = false;
  for (;;) {
    const issues = checkShift(current, others, today);
    const refused = issues.find((i) => i.refused);
    if (refused) {
      const other = refused.other;
      box.replaceChildren(h("div", { class: "card warning log-refusal", role: "alert", "data-refusal": refused.code },
        h("p", null, refusalText(ctx, refused, current)),
        other ? h("p", null, h("a", { class: "button secondary", href: `#/log/shift/${encodeURIComponent(other.id)}` }, "✎ ", t("log.check.editOther"))) : null));
      return null;
    }
    const nextDay = issues.find((i) => i.code === "next_day");
    if (nextDay) {
      const yes = await ask(box, { id: "next-day", question: t("log.check.nextDay"),
        detail: t("log.check.nextDayDetail", { start: current.start, end: current.end }),
        yes: t("log.check.nextDayYes"), no: t("log.check.nextDayNo") });
      if (!yes) return null;
      current = { ...current, ends_next_day: true };
      continue;
    }
    if (!longOk && issues.some((i) => i.code === "long")) {
      const yes = await ask(box, { id: "long", question: t("log.check.long", { hours: duration(length(current)) }),
        detail: t("log.check.longDetail", { start: current.start, end: current.end }),
        yes: t("log.check.longYes"), no: t("log.check.longNo") });
      if (!yes) return null;
      longOk = true;
      continue;
    }
    box.replaceChildren();
    return current;
  }
}
