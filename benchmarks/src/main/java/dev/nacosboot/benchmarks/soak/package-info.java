/**
 * The soak program: a config change every 100 ms, instance churn and calls for ten
 * minutes (or as long as asked), printing heap after GC, refresh latency percentiles and
 * failed calls at every interval.
 */
@NullMarked
package dev.nacosboot.benchmarks.soak;

import org.jspecify.annotations.NullMarked;
