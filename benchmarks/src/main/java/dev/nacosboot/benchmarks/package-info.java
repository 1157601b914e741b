/**
 * Programs that print how fast change reaches an application using the starter, each
 * against a reference measured in the same run. Not tests: nothing here asserts a time.
 */
@NullMarked
package dev.nacosboot.benchmarks;

import org.jspecify.annotations.NullMarked;
