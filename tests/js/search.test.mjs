// The shared search vectors (tests/search_vectors.json) through the phone's offline search
// (pwa/js/search.js) over the guides in content/guides, as tests/test_search_words.py runs
// them through the server's. Run: node --test tests/js/
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { buildIndex, search, prepareWords, plan, oneApart } from '../../pwa/js/search.js';

const root = new URL('../../', import.meta.url);
const words = prepareWords(JSON.parse(readFileSync(new URL('pwa/js/search-words.json', root), 'utf8')));
const { vectors } = JSON.parse(readFileSync(new URL('tests/search_vectors.json', root), 'utf8'));

/** A guide file as the pack carries it: front matter fields and the body as plain text. */
function readGuide(name) {
  const raw = readFileSync(new URL(`content/guides/${name}`, root), 'utf8');
  const [, front, body] = raw.split(/^---$/m);
  const field = (key) => {
    const m = new RegExp(`^${key}: (.*)$`, 'm').exec(front);
    return m ? m[1].trim().replace(/^"(.*)"$/, '$1') : '';
  };
  const text = body
    .replace(/\]\([^)]*\)/g, ']') // a link's address is not text
    .replace(/[#*_>|`[\]]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { id: field('id'), lang: field('lang'), title: field('title'), summary: field('summary'), text };
}

const guides = readdirSync(new URL('content/guides/', root)).filter((f) => f.endsWith('.md')).map(readGuide);
const index = {
  es: buildIndex(guides.filter((g) => g.lang === 'es')),
  en: buildIndex(guides.filter((g) => g.lang === 'en')),
};
const ids = (q, lang) => search(index[lang], q, lang, words).results.map((r) => r.item.id);

for (const v of vectors) {
  test(`${v.lang}: ${v.q}`, () => {
    const found = ids(v.q, v.lang);
    if (v.none) assert.deepEqual(found, []);
    for (const want of v.includes || []) assert.ok(found.includes(want), `${v.q} should find ${want}: ${found}`);
    if (v.first_in) assert.ok(v.first_in.includes(found[0]), `${v.q} first: ${found[0]}`);
    if (v.same_as) assert.deepEqual([...found].sort(), [...ids(v.same_as, v.lang)].sort());
  });
}

test('English words in Spanish mode say which Spanish word was searched', () => {
  const { english, results } = search(index.es, 'fired', 'es', words);
  assert.equal(english.length, 1);
  assert.equal(english[0].said, 'fired');
  assert.equal(english[0].shown, 'despido');
  assert.ok(results.length > 0);
});

test('phrasings are taken whole, filler words left out', () => {
  assert.deepEqual(plan('Me corrieron y no me pagan', 'es', words).map((g) => g.said), ['me corrieron', 'no me pagan']);
  assert.deepEqual(plan('el trabajo', 'es', words).map((g) => g.said), ['el', 'trabajo']);
  assert.ok(oneApart('salario', 'salraio') && oneApart('salario', 'salaro') && !oneApart('salario', 'salrpo'));
});

test('a snippet shows the word found, as written in the guide', () => {
  const [first] = search(index.es, 'lastime', 'es', words).results;
  assert.ok(first.snippet && /lastim/i.test(first.snippet.match), JSON.stringify(first.snippet));
});
