#!/usr/bin/env -S node --max-semi-space-size=8
// Node flags as `npm start` gives them: a smaller young generation keeps the server's memory
// well under 200 MB under load for about 2 % of throughput (see bench/results).
// The compiled CLI; `npm run build` (or `npm start`) produces dist/.
import '../dist/cli/index.js';
