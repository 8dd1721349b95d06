// ns per call of `fn` with the `benchmark` package (it picks iteration counts and reports
// the sampled mean); `maxTime` bounds each measurement in seconds.
import Benchmark from "benchmark";

export function nsPerCall(name, fn, maxTime = 0.5) {
  const b = new Benchmark(name, fn, { maxTime, minSamples: 5, initCount: 1 });
  b.run({ async: false });
  if (b.error) throw b.error;
  return b.stats.mean * 1e9;
}
