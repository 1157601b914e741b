package dev.nacosboot.loadbalancer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Which headers of an incoming request are propagated to outgoing {@code @LoadBalanced}
 * calls: the version header of the rules in force and the configured extra headers (a
 * change of either applies live). Outgoing calls that set a header themselves keep their
 * value.
 */
class GrayHeaderPropagation {

	private static final boolean SERVLET_PRESENT = ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest",
			GrayHeaderPropagation.class.getClassLoader());

	private final Supplier<List<String>> headerNames;

	/**
	 * Creates the propagation of the headers in force.
	 * @param headerNames the version header and the configured headers, read per request
	 * so that a change applies live
	 */
	GrayHeaderPropagation(Supplier<List<String>> headerNames) {
		this.headerNames = headerNames;
	}

	List<String> headerNames() {
		return this.headerNames.get();
	}

	/**
	 * The propagated headers of an incoming request.
	 * @param incoming the incoming request's headers
	 * @return name to value, empty when it carries none
	 */
	Map<String, String> captured(HttpHeaders incoming) {
		Map<String, String> values = new LinkedHashMap<>();
		for (String name : headerNames()) {
			String value = incoming.getFirst(name);
			if (value != null && !value.isBlank()) {
				values.put(name, value);
			}
		}
		return values;
	}

	/**
	 * The propagated headers of the servlet request bound to this thread.
	 * @return name to value, empty when there is no such request or it carries none
	 */
	Map<String, String> fromCurrentServletRequest() {
		if (!SERVLET_PRESENT) {
			return Map.of();
		}
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		if (!(attributes instanceof ServletRequestAttributes servlet)) {
			return Map.of();
		}
		Map<String, String> values = new LinkedHashMap<>();
		for (String name : headerNames()) {
			String value = servlet.getRequest().getHeader(name);
			if (value != null && !value.isBlank()) {
				values.put(name, value);
			}
		}
		return values;
	}

	/**
	 * Adds the values to outgoing headers that do not have them.
	 * @param values propagated values
	 * @param outgoing the outgoing request's headers
	 * @return whether anything was added
	 */
	static boolean addMissing(@Nullable Map<String, String> values, HttpHeaders outgoing) {
		boolean added = false;
		if (values != null) {
			for (Map.Entry<String, String> entry : values.entrySet()) {
				if (!outgoing.containsHeader(entry.getKey())) {
					outgoing.set(entry.getKey(), entry.getValue());
					added = true;
				}
			}
		}
		return added;
	}

}
