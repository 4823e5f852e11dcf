// Enhanced fan-out over h2c with the JS SDK v3 (being written).
import { test } from 'node:test';
test('placeholder', () => {});
