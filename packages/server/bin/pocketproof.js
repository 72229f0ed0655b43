#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=8
// Node flags as `npm start` gives them: a smaller young generation keeps the server's memory
// well under 200 MB under load for about 2 % of throughput (see bench/results). A fixed mmap
// threshold stops glibc from raising it past the 16 MB of a client-secret scrypt, after which every
// libuv thread that ran one kept 16 MB in its malloc arena (issue 20).
// The compiled CLI; `npm run build` (or `npm start`) produces dist/.
import '../dist/cli/index.js';
