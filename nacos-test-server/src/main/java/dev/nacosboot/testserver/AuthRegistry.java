package dev.nacosboot.testserver;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users and the access tokens issued to them. Off by default; when on, every naming and config request must carry a
 * token that a login issued and that has not expired.
 */
final class AuthRegistry {

	// The real server's auth plugin words, as it sends them over gRPC and HTTP.
	static final String MISSING_TOKEN = "Code: 401, Message: User not found! Please check user exist or password is right!.";

	static final String INVALID_TOKEN = "Code: 401, Message: token invalid!.";

	static final String EXPIRED_TOKEN = "Code: 401, Message: token expired!.";

	private final SecureRandom random = new SecureRandom();

	private final Map<String, String> users = new ConcurrentHashMap<>();

	private final Map<String, IssuedToken> tokens = new ConcurrentHashMap<>();

	private final Clock clock;

	private volatile boolean enabled;

	private volatile Duration tokenTtl = Duration.ofHours(5);

	AuthRegistry(Clock clock) {
		this.clock = clock;
	}

	boolean isEnabled() {
		return this.enabled;
	}

	void enable(boolean enabled) {
		this.enabled = enabled;
	}

	void addUser(String username, String password) {
		this.users.put(username, password);
	}

	void tokenTtl(Duration ttl) {
		this.tokenTtl = ttl;
	}

	boolean knowsUser(String username) {
		return username != null && this.users.containsKey(username);
	}

	/**
	 * Checks the credentials and issues a token, or returns {@code null} when they are wrong.
	 */
	IssuedToken login(String username, String password) {
		String expected = (username != null) ? this.users.get(username) : null;
		if (expected == null || !expected.equals(password)) {
			return null;
		}
		byte[] bytes = new byte[24];
		this.random.nextBytes(bytes);
		String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		IssuedToken token = new IssuedToken(value, username, this.clock.instant().plus(this.tokenTtl), this.tokenTtl);
		this.tokens.put(value, token);
		return token;
	}

	/**
	 * Why a request with this token is refused, or {@code null} when it may pass.
	 */
	String refusal(String token) {
		return refusal(token, null, null);
	}

	/**
	 * Why a request is refused, or {@code null} when it may pass. Without a token, a username and password sent
	 * with the request itself are checked instead, as the real server does.
	 */
	String refusal(String token, String username, String password) {
		if (!this.enabled) {
			return null;
		}
		if (token == null || token.isBlank()) {
			String expected = (username != null) ? this.users.get(username) : null;
			return (expected != null && expected.equals(password)) ? null : MISSING_TOKEN;
		}
		IssuedToken issued = this.tokens.get(token);
		if (issued == null) {
			return INVALID_TOKEN;
		}
		if (!this.clock.instant().isBefore(issued.expiresAt())) {
			this.tokens.remove(token);
			return EXPIRED_TOKEN;
		}
		return null;
	}

	void forgetTokens() {
		this.tokens.clear();
	}

	record IssuedToken(String value, String username, Instant expiresAt, Duration ttl) {
	}

}
