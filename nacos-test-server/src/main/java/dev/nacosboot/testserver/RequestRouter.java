package dev.nacosboot.testserver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.remote.request.Request;
import com.alibaba.nacos.api.remote.response.ErrorResponse;
import com.alibaba.nacos.api.remote.response.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a parsed client request to its handler. Secured requests are refused with
 * {@code NO_RIGHT} (403) in the handler's own response type when auth is on and the
 * {@code accessToken} header is missing or not valid, as the real server's auth filter
 * answers.
 */
final class RequestRouter {

	private static final Logger logger = LoggerFactory.getLogger(RequestRouter.class);

	private final Map<String, Route> routes = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private final AuthRegistry auth;

	RequestRouter(AuthRegistry auth) {
		this.auth = auth;
	}

	<T extends Request> void add(Class<T> type, Supplier<? extends Response> responseType, boolean secured,
			RequestHandler<T> handler) {
		BiFunction<Request, ServerConnection, Response> typed = (request, connection) -> {
			try {
				return handler.handle(type.cast(request), connection);
			}
			catch (NacosException ex) {
				Response failure = responseType.get();
				failure.setErrorInfo(ex.getErrCode(), ex.getErrMsg());
				return failure;
			}
		};
		this.routes.put(type.getSimpleName(), new Route(typed, responseType, secured));
	}

	boolean handles(String type) {
		return this.routes.containsKey(type);
	}

	Response route(Request request, ServerConnection connection) {
		this.counts.computeIfAbsent(request.getClass().getSimpleName(), (type) -> new LongAdder()).increment();
		Route route = this.routes.get(request.getClass().getSimpleName());
		if (route == null) {
			return ErrorResponse.build(NacosException.NO_HANDLER, "RequestHandler Not Found");
		}
		if (route.secured()) {
			String refusal = this.auth.refusal(accessToken(request), request.getHeader("username"),
					request.getHeader("password"));
			if (refusal != null) {
				Response denied = route.responseType().get();
				denied.setErrorInfo(NacosException.NO_RIGHT, refusal);
				return denied;
			}
		}
		try {
			return route.handler().apply(request, connection);
		}
		catch (RuntimeException ex) {
			logger.warn("Failed to handle {} from {}", request.getClass().getSimpleName(), connection.id(), ex);
			return ErrorResponse.build(ex);
		}
	}

	private static String accessToken(Request request) {
		String authorization = request.getHeader("Authorization");
		if (authorization != null && authorization.startsWith("Bearer ")) {
			return authorization.substring("Bearer ".length());
		}
		return request.getHeader("accessToken");
	}

	/** How many requests of this type (simple class name) the server has received. */
	long count(String type) {
		LongAdder count = this.counts.get(type);
		return (count != null) ? count.sum() : 0;
	}

	@FunctionalInterface
	interface RequestHandler<T extends Request> {

		Response handle(T request, ServerConnection connection) throws NacosException;

	}

	private record Route(BiFunction<Request, ServerConnection, Response> handler,
			Supplier<? extends Response> responseType, boolean secured) {
	}

}
