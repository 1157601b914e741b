package dev.nacosboot.registry;

import com.alibaba.nacos.api.exception.NacosException;

/**
 * Thrown when Nacos refuses or cannot take a registration change.
 */
public class NacosRegistrationException extends RuntimeException {

	public NacosRegistrationException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Whether the instance itself was refused as invalid (by the server's parameter check
	 * or the client's own), so that sending it again would be refused again.
	 * @return whether the refusal is for invalid parameters
	 */
	public boolean isInvalidInstance() {
		return getCause() instanceof NacosException ex && isInvalidInstance(ex);
	}

	static boolean isInvalidInstance(NacosException ex) {
		return ex.getErrCode() == NacosException.INVALID_PARAM
				|| ex.getErrCode() == NacosException.CLIENT_INVALID_PARAM;
	}

}
