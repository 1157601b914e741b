package dev.nacosboot.actuate;

import java.util.regex.Pattern;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks the Nacos credentials ({@code spring.cloud.nacos[.discovery|.config].username},
 * {@code password}, {@code access-key}, {@code secret-key},
 * {@code tls.private-key-password}) in {@code env}, {@code configprops} and the
 * {@code nacos} endpoint, also when {@code show-values} is {@code always}: Boot then
 * shows every value that no {@link SanitizingFunction} masks, and an operator who opens
 * the values for debugging should not also open the registry's credentials.
 */
final class NacosCredentialsSanitizer implements SanitizingFunction {

	private static final Pattern CREDENTIAL = Pattern.compile(
			"^spring\\.cloud\\.nacos\\.(discovery\\.|config\\.)?"
					+ "(username|password|access-?key|secret-?key|tls\\.private-?key-?password)$",
			Pattern.CASE_INSENSITIVE);

	@Override
	public SanitizableData apply(SanitizableData data) {
		return CREDENTIAL.matcher(data.getKey()).matches() ? data.withSanitizedValue() : data;
	}

}
