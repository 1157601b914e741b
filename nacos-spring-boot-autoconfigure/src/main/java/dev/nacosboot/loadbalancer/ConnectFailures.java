package dev.nacosboot.loadbalancer;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Recognises failures to open a connection, in whatever wrapping the HTTP client puts
 * around them: the request never left this application, so another instance may be tried
 * for every HTTP method. Anything else (a reset, a read time-out, a TLS failure) may have
 * reached the server and is not one of them.
 */
final class ConnectFailures {

	// Apache HttpClient 5's connect time-out is an InterruptedIOException, not a
	// ConnectException; named so that the class need not be on the class path.
	private static final String APACHE_CONNECT_TIMEOUT = "org.apache.hc.client5.http.ConnectTimeoutException";

	private ConnectFailures() {
	}

	/**
	 * Whether the failure, or one of its causes, is a failure to connect: refused,
	 * unreachable, unknown host, or a connect time-out.
	 * @param failure the failure
	 * @return whether no byte of the request can have reached the server
	 */
	static boolean isConnectFailure(@Nullable Throwable failure) {
		int depth = 0;
		for (Throwable cause = failure; cause != null && depth < 16; cause = cause.getCause(), depth++) {
			if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
					|| cause instanceof PortUnreachableException || cause instanceof UnknownHostException
					|| cause instanceof HttpConnectTimeoutException
					|| cause.getClass().getName().equals(APACHE_CONNECT_TIMEOUT)) {
				return true;
			}
			// HttpURLConnection (RestTemplate's and RestClient's simplest request
			// factory) reports a connect time-out this way only.
			if (cause instanceof SocketTimeoutException && cause.getMessage() != null
					&& cause.getMessage().toLowerCase(Locale.ROOT).startsWith("connect timed out")) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/**
	 * A short reason for a log line or an error message.
	 * @param failure the failure
	 * @return the innermost message, or the class name
	 */
	static String reason(Throwable failure) {
		Throwable innermost = failure;
		int depth = 0;
		while (innermost.getCause() != null && innermost.getCause() != innermost && depth++ < 16) {
			innermost = innermost.getCause();
		}
		String message = innermost.getMessage();
		return (message != null && !message.isBlank()) ? message : innermost.getClass().getSimpleName();
	}

}
