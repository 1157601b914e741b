/**
 * A runnable demo of the starter: a provider role and a consumer role with a live page.
 */
@NullMarked
package dev.nacosboot.sample;

import org.jspecify.annotations.NullMarked;
