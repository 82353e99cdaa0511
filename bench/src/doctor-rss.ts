// Preloaded into a `lameduck doctor` child (`node --import`) by the doctor-scale scenario: at exit,
// it writes the child's peak resident memory and CPU time where the parent said, so both are
// measured from inside the process that used them (the parent cannot read a child's rusage). CPU
// time holds still on a busy machine, where wall time does not.
import { writeFileSync } from 'node:fs';

const file = process.env.LAMEDUCK_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    // maxRSS is in kibibytes, the CPU times in microseconds.
    writeFileSync(
      file,
      JSON.stringify({
        peakRssBytes: usage.maxRSS * 1024,
        cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
      }),
    );
  });
}
