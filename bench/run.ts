/**
 * `npm run bench`: the speed figures the issues ask for, measured in one run so that ratios are
 * comparable on a noisy machine.
 */
import { benchBuildTimes } from './build-times.js';
import { benchSummary } from './summary.js';

await benchBuildTimes();
await benchSummary();
