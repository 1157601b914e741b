package dev.nacosboot.actuate;

/**
 * Something that samples local client state at a fixed interval (see
 * {@link NacosStateSampling}). Sampling must be cheap and must not call the server.
 */
@FunctionalInterface
interface NacosStateSampler {

	/**
	 * Takes one sample.
	 */
	void sample();

}
