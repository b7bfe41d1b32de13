// Prints every vector's whole JS report as JSON, keyed by vector id; tests/test_wages_parity.py
// compares it with the Python reports. Run: node tests/js/run_vectors.mjs
import './wage_texts.mjs';
import { checkWages } from '../../pwa/js/wages.js';
import { expandLog, loadVectors } from './vectors.mjs';

const out = {};
for (const { id, rules, vector } of loadVectors()) {
  out[id] = checkWages(expandLog(vector.log), (vector.rules || rules).jurisdictions, vector.as_of);
}
process.stdout.write(JSON.stringify(out));
