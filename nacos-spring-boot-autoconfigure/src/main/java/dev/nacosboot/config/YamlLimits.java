package dev.nacosboot.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Limits on YAML (and JSON) content from Nacos, checked on the parser's events before
 * anything is built. Spring Boot's YAML loader lifts SnakeYAML's limits (aliases,
 * recursive keys, document size) because local files are trusted; remote content is not:
 * an alias bomb or a recursive alias would expand without bound when flattened into
 * properties.
 */
final class YamlLimits {

	/** Most characters in one config (SnakeYAML's own default). */
	static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

	/** Deepest nesting of mappings and sequences (SnakeYAML's own default). */
	static final int MAX_NESTING_DEPTH = 50;

	/**
	 * Most values after expanding aliases, i.e. most properties one config can produce.
	 */
	static final int MAX_VALUES = 100_000;

	private YamlLimits() {
	}

	/**
	 * Checks content against the limits.
	 * @param content YAML or JSON
	 * @throws IllegalArgumentException naming the limit exceeded (and SnakeYAML's
	 * exceptions for malformed content)
	 */
	static void check(String content) {
		LoaderOptions options = new LoaderOptions();
		options.setCodePointLimit(MAX_CODE_POINTS);
		Map<String, Long> anchoredSizes = new HashMap<>();
		List<@Nullable String> openAnchors = new ArrayList<>();
		List<long[]> openSizes = new ArrayList<>();
		long total = 0;
		for (Event event : new Yaml(options).parse(new StringReader(content))) {
			long added = 0;
			if (event instanceof DocumentStartEvent) {
				anchoredSizes.clear();
			}
			else if (event instanceof CollectionStartEvent start) {
				if (openAnchors.size() == MAX_NESTING_DEPTH) {
					throw new IllegalArgumentException("nested deeper than " + MAX_NESTING_DEPTH + " levels");
				}
				openAnchors.add(start.getAnchor());
				openSizes.add(new long[1]);
			}
			else if (event instanceof CollectionEndEvent) {
				String anchor = openAnchors.remove(openAnchors.size() - 1);
				added = Math.max(1, openSizes.remove(openSizes.size() - 1)[0]);
				if (anchor != null) {
					anchoredSizes.put(anchor, added);
				}
			}
			else if (event instanceof ScalarEvent scalar) {
				added = 1;
				if (scalar.getAnchor() != null) {
					anchoredSizes.put(scalar.getAnchor(), 1L);
				}
			}
			else if (event instanceof AliasEvent alias) {
				if (openAnchors.contains(alias.getAnchor())) {
					throw new IllegalArgumentException("alias *" + alias.getAnchor() + " refers to a collection"
							+ " that contains it (recursive)");
				}
				added = anchoredSizes.getOrDefault(alias.getAnchor(), 1L);
			}
			if (added > 0) {
				if (openSizes.isEmpty()) {
					total += added;
				}
				else {
					openSizes.get(openSizes.size() - 1)[0] += added;
				}
				if (total > MAX_VALUES
						|| (!openSizes.isEmpty() && openSizes.get(openSizes.size() - 1)[0] > MAX_VALUES)) {
					throw new IllegalArgumentException(
							"more than " + MAX_VALUES + " values once aliases are expanded" + " (an alias bomb?)");
				}
			}
		}
	}

}
