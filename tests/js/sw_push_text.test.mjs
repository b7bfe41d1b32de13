// Notifications never put a guide's title or topic on the lock screen (issue 12, item 13):
// the real pwa/sw-push.js runs in a service-worker-shaped context and gets real push
// messages the way `cartilla notify` sends them (server title and body naming guides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../../pwa/sw-push.js', import.meta.url), 'utf8');
const REVEALING = 'Sus derechos en el trabajo sin importar su estatus migratorio';

/** A worker scope with one stored profile; returns it and what it showed. */
function worker(profile) {
  const shown = [];
  const listeners = {};
  const self = {
    location: { origin: 'https://cartilla.example' },
    addEventListener: (type, fn) => { listeners[type] = fn; },
    registration: { showNotification: async (title, options) => { shown.push({ title, ...options }); } },
    CartillaDB: { get: async (store, key) => (store === 'settings' && key === 'profile' ? profile : null) },
    clients: { matchAll: async () => [] },
  };
  vm.runInNewContext(SOURCE, { self, URL, JSON, Promise, Array });
  const push = async (message) => {
    let done = null;
    listeners.push({ data: { json: () => message }, waitUntil: (p) => { done = p; } });
    await done;
    return shown.at(-1);
  };
  return { self, push };
}

function message(lang, guides) {
  return {
    lang,
    title: `Cartilla: ${REVEALING}`,
    body: `Nueva versión: ${guides.map((g) => g.title).join(', ')}`,
    guides,
  };
}

const UNDOCUMENTED = { id: 'rights-any-status', title: REVEALING, statuses: ['undocumented'], industries: 'all' };
const H2B = { id: 'h2b-rules', title: 'Reglas H-2B', statuses: ['h2b'], industries: 'all' };

test('a changed guide is announced in neutral words, and tapping opens it', async () => {
  const { push } = worker({ state: 'CA', industry: 'agriculture', status: 'undocumented', lang: 'es' });
  const note = await push(message('es', [UNDOCUMENTED]));
  assert.equal(note.title, 'Cartilla: hay información nueva');
  assert.equal(note.body, 'Abra Cartilla para ver los detalles.');
  assert.equal(note.lang, 'es');
  assert.equal(note.data.url, '/#/guide/rights-any-status');
  assert.ok(!JSON.stringify([note.title, note.body]).includes('estatus'));
});

test('English phones get the English sentence; several or no matching guides say the same', async () => {
  const { push } = worker({ state: 'CA', industry: 'agriculture', status: 'h2a', lang: 'en' });
  for (const guides of [[UNDOCUMENTED, H2B], [H2B], []]) {
    const note = await push(message('en', guides));
    assert.deepEqual([note.title, note.body], ['Cartilla: new information', 'Open Cartilla to see the details.']);
    for (const guide of guides) assert.ok(!`${note.title} ${note.body}`.includes(guide.title));
  }
});

test('an unknown or missing language falls back to Spanish, never to the server text', async () => {
  const { self, push } = worker(null);
  const note = await push({ title: REVEALING, body: REVEALING, guides: [UNDOCUMENTED], lang: 'fr' });
  assert.equal(note.title, self.cartillaNotificationText('es').title);
  assert.equal(note.body, self.cartillaNotificationText('es').body);
});
