package dev.nacosboot.testserver;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Users and the access tokens issued to them. Off by default; when on, every naming and
 * config request must carry a token that a login issued and that has not expired.
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

	private final LongAdder logins = new LongAdder();

	private final LongAdder refusals = new LongAdder();

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
	 * Checks the credentials and issues a token, or returns {@code null} when they are
	 * wrong.
	 */
	IssuedToken login(String username, String password) {
		String expected = (username != null) ? this.users.get(username) : null;
		if (expected == null || !expected.equals(password)) {
			return null;
		}
		byte[] bytes = new byte[24];
		this.random.nextBytes(bytes);
		String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		// The real server's JWT carries its expiry in whole seconds (now's second + TTL)
		// and accepts it as long as
		// that second is not before the current one: a token lives between TTL and TTL +
		// 1 s.
		Instant expiresAt = Instant
			.ofEpochSecond(this.clock.instant().getEpochSecond() + this.tokenTtl.toSeconds() + 1);
		IssuedToken token = new IssuedToken(value, username, expiresAt, this.tokenTtl);
		this.tokens.put(value, token);
		this.logins.increment();
		return token;
	}

	/**
	 * Why a request with this token is refused, or {@code null} when it may pass.
	 */
	String refusal(String token) {
		return refusal(token, null, null);
	}

	/**
	 * Why a request is refused, or {@code null} when it may pass. Without a token, a
	 * username and password sent with the request itself are checked instead, as the real
	 * server does.
	 */
	String refusal(String token, String username, String password) {
		if (!this.enabled) {
			return null;
		}
		String refusal = check(token, username, password);
		if (refusal != null) {
			this.refusals.increment();
		}
		return refusal;
	}

	private String check(String token, String username, String password) {
		if (token == null || token.isBlank()) {
			String expected = (username != null) ? this.users.get(username) : null;
			return (expected != null && expected.equals(password)) ? null : MISSING_TOKEN;
		}
		IssuedToken issued = this.tokens.get(token);
		if (issued == null) {
			return INVALID_TOKEN;
		}
		// Kept after expiry: a real server's token is self-contained and stays "expired",
		// never becomes "invalid".
		return this.clock.instant().isBefore(issued.expiresAt()) ? null : EXPIRED_TOKEN;
	}

	/** Tokens issued by successful logins so far. */
	long logins() {
		return this.logins.sum();
	}

	/** Requests refused for a missing, invalid or expired token so far. */
	long refusals() {
		return this.refusals.sum();
	}

	/** Issued tokens whose expiry has passed. */
	long expiredTokens() {
		Instant now = this.clock.instant();
		return this.tokens.values().stream().filter((token) -> !now.isBefore(token.expiresAt())).count();
	}

	void forgetTokens() {
		this.tokens.clear();
	}

	record IssuedToken(String value, String username, Instant expiresAt, Duration ttl) {
	}

}
