/** Read aloud: the screen's text in the phone's own voice (Web Speech API, speechSynthesis).
 *
 * Loaded only by screens that offer it, and only where the browser has speechSynthesis
 * (sw.js LAZY: cached when first used). Only voices on the phone (voice.localService) are
 * used: a network voice would send the guide's text to the voice's company, and the worker's
 * reading list is nobody's business. Without a local voice for the text's language the button
 * stays hidden. Text is read one block (heading, paragraph, list item) at a time: long
 * utterances are cut off on some Android phones, and Stop is then immediate.
 */

const BLOCKS = "h1,h2,h3,h4,p,li,dt,dd,td,th";

/** The phone's own voice for `lang` ("es" matches "es-MX"), one for the region first. */
export function localVoice(voices, lang) {
  const base = String(lang || "").toLowerCase().split("-")[0];
  const mine = voices.filter((v) => v.localService && String(v.lang).toLowerCase().replace("_", "-").split("-")[0] === base);
  return mine.find((v) => v.default) || mine[0] || null;
}

/** The texts to read in `root`: innermost blocks from the <h1> on (not the way back), without
 * hidden parts or our own button. */
export function readableText(root) {
  const start = root.querySelector("h1");
  const blocks = [...root.querySelectorAll(BLOCKS)].filter((el) => !el.querySelector(BLOCKS)
    && !el.closest("[aria-hidden=true],[hidden],.speak")
    && (!start || el === start || start.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING));
  return blocks.map((el) => el.textContent.replace(/\s+/g, " ").trim()).filter(Boolean);
}

/** Put a "read aloud" button under `root`'s <h1>; it appears once a local voice for `lang` is
 * known (voices may arrive after the page loads). Returns a function that stops reading. */
export function offerReadAloud(root, t, lang) {
  const synth = window.speechSynthesis;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button speak";
  button.hidden = true;
  let reading = false;
  const label = () => {
    // The label says what a tap does now (no aria-pressed: the name itself changes).
    button.textContent = reading ? `■ ${t("speak.stop")}` : `▶ ${t("speak.read")}`;
  };
  const stop = () => {
    if (reading) synth.cancel();
    reading = false;
    label();
  };
  button.addEventListener("click", () => {
    if (reading) { stop(); return; }
    const voice = localVoice(synth.getVoices(), lang);
    if (!voice) { button.hidden = true; return; }
    const texts = readableText(root);
    if (!texts.length) return;
    synth.cancel(); // anything another screen left queued
    reading = true;
    label();
    texts.forEach((text, i) => {
      const u = new SpeechSynthesisUtterance(text);
      u.voice = voice;
      u.lang = voice.lang;
      if (i === texts.length - 1) u.onend = () => { reading = false; label(); };
      u.onerror = () => { reading = false; label(); };
      synth.speak(u);
    });
  });
  const check = () => {
    button.hidden = !localVoice(synth.getVoices(), lang);
  };
  label();
  check();
  if (synth.addEventListener) synth.addEventListener("voiceschanged", check);
  const heading = root.querySelector("h1");
  if (heading) heading.after(button);
  else root.prepend(button);
  return () => {
    if (synth.removeEventListener) synth.removeEventListener("voiceschanged", check);
    stop();
  };
}
