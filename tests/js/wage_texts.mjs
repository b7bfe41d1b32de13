// Both languages of the wage check's texts (pwa/i18n/<lang>/wages.json, generated from
// server/wages/messages.py), as the desk loads them: import this before running checkWages.
import { readFileSync } from 'node:fs';
import { setWageTexts } from '../../pwa/js/wages.js';

for (const lang of ['es', 'en']) {
  setWageTexts(lang, JSON.parse(readFileSync(new URL(`../../pwa/i18n/${lang}/wages.json`, import.meta.url), 'utf8')));
}
