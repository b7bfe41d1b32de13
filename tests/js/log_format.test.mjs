// How the log writes dates, money, hours, clock times and plurals (pwa/js/log/format.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dateWords, moneyWords, hoursWords, timeWords, plural, kindWord } from '../../pwa/js/log/format.js';

test('dates in words, Spanish without the weekday comma', () => {
  assert.equal(dateWords('2026-11-02', 'es'), 'lunes 2 de noviembre de 2026');
  assert.equal(dateWords('2026-11-02', 'en'), 'Monday, November 2, 2026');
  assert.equal(dateWords('not a date', 'es'), 'not a date');
  assert.equal(dateWords('', 'es'), '');
});

test('money with thousands separators and cents', () => {
  assert.equal(moneyWords(123450), '$1,234.50');
  assert.equal(moneyWords(100000000), '$1,000,000.00');
  assert.equal(moneyWords(5), '$0.05');
  assert.equal(moneyWords(-123450), '-$1,234.50');
  assert.equal(moneyWords(null), '');
});

test('hours always say their minutes', () => {
  assert.equal(hoursWords(600), '10 h 0 min');
  assert.equal(hoursWords(570), '9 h 30 min');
});

test('clock times in words, in Spanish and English', () => {
  const cases = [
    ['16:30', '4:30 de la tarde', '4:30 in the afternoon'],
    ['07:00', '7:00 de la mañana', '7:00 in the morning'],
    ['12:00', '12:00 del mediodía', '12:00 in the afternoon'],
    ['04:15', '4:15 de la madrugada', '4:15 at night'],
    ['00:05', '12:05 de la noche', '12:05 at night'],
    ['19:45', '7:45 de la tarde', '7:45 in the evening'],
    ['22:00', '10:00 de la noche', '10:00 at night'],
  ];
  for (const [hhmm, es, en] of cases) {
    assert.equal(timeWords(hhmm, 'es'), es);
    assert.equal(timeWords(hhmm, 'en'), en);
  }
  for (const bad of ['24:00', '7:00', '', null, '<b>']) assert.equal(timeWords(bad, 'es'), '');
});

test('plurals by Intl.PluralRules, in es and en', () => {
  const messages = { 'k.one': '1 día', 'k.other': '{count} días', 'only.other': '{count} x' };
  const t = (key, vars = {}) => (key in messages ? messages[key].replace('{count}', vars.count) : key);
  assert.equal(plural({ t, lang: 'es' }, 'k', 1), '1 día');
  assert.equal(plural({ t, lang: 'es' }, 'k', 0), '0 días');
  assert.equal(plural({ t, lang: 'en' }, 'k', 2), '2 días');
  assert.equal(plural({ t, lang: 'es' }, 'only', 1), '1 x');  // no "one" form: "other"
});

test('a code without a word is never shown', () => {
  const t = (key) => ({ 'log.kinds.incident.threat': 'Me amenazaron', 'log.kinds.unknown': 'Otra cosa' }[key] || key);
  assert.equal(kindWord({ t }, 'incident', 'threat'), 'Me amenazaron');
  assert.equal(kindWord({ t }, 'incident', 'new_code'), 'Otra cosa');
});
