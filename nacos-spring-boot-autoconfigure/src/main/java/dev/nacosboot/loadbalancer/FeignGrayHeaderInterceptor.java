package dev.nacosboot.loadbalancer;

import java.util.Map;

import feign.RequestInterceptor;
import feign.RequestTemplate;

/**
 * Copies the gray headers of the servlet request being handled on this thread to an
 * outgoing OpenFeign call that does not set them, before the load balancer chooses: the
 * balancer routes by them and the next service receives them.
 */
class FeignGrayHeaderInterceptor implements RequestInterceptor {

	private final GrayHeaderPropagation propagation;

	FeignGrayHeaderInterceptor(GrayHeaderPropagation propagation) {
		this.propagation = propagation;
	}

	@Override
	public void apply(RequestTemplate template) {
		for (Map.Entry<String, String> header : this.propagation.fromCurrentServletRequest().entrySet()) {
			if (!hasHeader(template, header.getKey())) {
				template.header(header.getKey(), header.getValue());
			}
		}
	}

	private static boolean hasHeader(RequestTemplate template, String name) {
		for (String present : template.headers().keySet()) {
			if (present.equalsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

}
