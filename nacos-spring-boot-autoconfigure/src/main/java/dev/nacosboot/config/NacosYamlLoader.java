package dev.nacosboot.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin.Location;
import org.springframework.core.io.Resource;

/**
 * Reads YAML (and JSON) content from Nacos into flat, origin-tracked properties in one
 * pass, the way Spring Boot's YAML loader flattens local files ({@code a.b[0].c}, a later
 * document winning, timestamps kept as text), but with limits: Boot lifts SnakeYAML's
 * limits for trusted local files; remote content is not trusted, so the parser keeps them
 * (size, nesting, aliases, recursive keys, duplicate keys) and flattening stops at a
 * number of values and at a collection that contains itself.
 */
final class NacosYamlLoader {

	/** Most characters in one config (SnakeYAML's own default). */
	static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

	/** Deepest nesting of mappings and sequences (SnakeYAML's own default). */
	static final int MAX_NESTING_DEPTH = 50;

	/** Most aliases of collections in one config (SnakeYAML's own default). */
	static final int MAX_COLLECTION_ALIASES = 50;

	/** Most values after expanding aliases, i.e. most properties one config produces. */
	static final int MAX_VALUES = 100_000;

	private NacosYamlLoader() {
	}

	/**
	 * Parses YAML or JSON content.
	 * @param resource the content as a resource, for origins
	 * @param content the content
	 * @return the properties, a later document's value winning
	 * @throws IllegalArgumentException naming a limit that was exceeded (and SnakeYAML's
	 * exceptions, with the line, for malformed content)
	 */
	static Map<String, Object> load(Resource resource, String content) {
		LoaderOptions options = new LoaderOptions();
		options.setCodePointLimit(MAX_CODE_POINTS);
		options.setNestingDepthLimit(MAX_NESTING_DEPTH);
		options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
		options.setAllowRecursiveKeys(false);
		options.setAllowDuplicateKeys(false);
		DumperOptions dumperOptions = new DumperOptions();
		Yaml yaml = new Yaml(new OriginTrackingConstructor(options, resource), new Representer(dumperOptions),
				dumperOptions, options, new NoTimestampResolver());
		Flattener flattener = new Flattener();
		for (Object document : yaml.loadAll(new StringReader(content))) {
			if (document != null) {
				flattener.document(document);
			}
		}
		return flattener.result;
	}

	/**
	 * Spring Boot's flattening of a document, counting values and refusing a collection
	 * inside itself.
	 */
	private static final class Flattener {

		private final Map<String, Object> result = new LinkedHashMap<>();

		private final Set<Object> open = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

		private int values;

		void document(Object document) {
			if (document instanceof Map<?, ?> map) {
				map(map, "");
			}
			else {
				value("document", document);
			}
		}

		private void map(Map<?, ?> map, String path) {
			enter(map);
			map.forEach((key, value) -> {
				String name = (key instanceof CharSequence) ? key.toString() : "[" + key + "]";
				String child = path.isEmpty() ? name : (name.startsWith("[") ? path + name : path + "." + name);
				any(value, child);
			});
			this.open.remove(map);
		}

		private void collection(Collection<?> collection, String path) {
			if (collection.isEmpty()) {
				value(path, "");
				return;
			}
			enter(collection);
			int index = 0;
			for (Object element : collection) {
				any(element, path + "[" + (index++) + "]");
			}
			this.open.remove(collection);
		}

		private void any(@Nullable Object value, String path) {
			if (value instanceof Map<?, ?> map) {
				map(map, path);
			}
			else if (value instanceof Collection<?> collection) {
				collection(collection, path);
			}
			else {
				value(path, (value != null) ? value : "");
			}
		}

		private void enter(Object collection) {
			if (!this.open.add(collection)) {
				throw new IllegalArgumentException("an alias refers to a collection that contains it (recursive)");
			}
		}

		private void value(String path, Object value) {
			if (++this.values > MAX_VALUES) {
				throw new IllegalArgumentException(
						"more than " + MAX_VALUES + " values once aliases are expanded (an alias bomb?)");
			}
			this.result.put(path, value);
		}

	}

	/**
	 * Wraps scalar values in {@link OriginTrackedValue}s naming the data id and line, as
	 * Spring Boot does for local files; keys stay plain.
	 */
	private static final class OriginTrackingConstructor extends SafeConstructor {

		private final Resource resource;

		OriginTrackingConstructor(LoaderOptions options, Resource resource) {
			super(options);
			this.resource = resource;
		}

		@Override
		public @Nullable Object getData() throws NoSuchElementException {
			Object data = super.getData();
			return (data instanceof CharSequence text && text.isEmpty()) ? null : data;
		}

		@Override
		protected Object constructObject(Node node) {
			if (node instanceof SequenceNode sequence && sequence.getValue().isEmpty()) {
				return tracked(node, "");
			}
			if (node instanceof ScalarNode && !(node instanceof KeyNode)) {
				return tracked(node, super.constructObject(node));
			}
			if (node instanceof MappingNode mapping) {
				List<NodeTuple> tuples = new ArrayList<>(mapping.getValue().size());
				for (NodeTuple tuple : mapping.getValue()) {
					tuples.add(new NodeTuple(KeyNode.of(tuple.getKeyNode()), tuple.getValueNode()));
				}
				mapping.setValue(tuples);
			}
			return super.constructObject(node);
		}

		private Object tracked(Node node, @Nullable Object value) {
			Mark mark = node.getStartMark();
			Origin origin = new TextResourceOrigin(this.resource, new Location(mark.getLine(), mark.getColumn()));
			return OriginTrackedValue.of((value != null) ? value : "", origin);
		}

	}

	/** A mapping's key, which stays a plain value. */
	private static final class KeyNode extends ScalarNode {

		private KeyNode(ScalarNode node) {
			super(node.getTag(), node.getValue(), node.getStartMark(), node.getEndMark(), node.getScalarStyle());
		}

		static Node of(Node node) {
			return (node instanceof ScalarNode scalar) ? new KeyNode(scalar) : node;
		}

	}

	/** Timestamps stay text, as in Spring Boot's loader. */
	private static final class NoTimestampResolver extends Resolver {

		@Override
		public void addImplicitResolver(Tag tag, Pattern regexp, String first, int limit) {
			if (tag != Tag.TIMESTAMP) {
				super.addImplicitResolver(tag, regexp, first, limit);
			}
		}

	}

}
