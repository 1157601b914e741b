package dev.nacosboot.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.util.StringUtils;

/**
 * The formats a Nacos config can have, and how each is turned into flat Spring property
 * names (YAML and JSON: {@code a.b[0].c}; every document of a multi-document YAML, a
 * later one winning; see {@link NacosYamlLoader} for the limits on remote YAML).
 */
enum NacosConfigFormat {

	/** {@code .properties}, also with {@code #---} documents. */
	PROPERTIES("properties") {
		@Override
		Map<String, Object> parse(String dataId, String content) {
			return load(new PropertiesPropertySourceLoader(), dataId, content);
		}
	},

	/** {@code .yaml} / {@code .yml}, also multi-document. */
	YAML("yaml", "yml") {
		@Override
		Map<String, Object> parse(String dataId, String content) {
			return loadYaml(this, dataId, content);
		}
	},

	/** {@code .json}: read as YAML, of which JSON is a subset. */
	JSON("json") {
		@Override
		Map<String, Object> parse(String dataId, String content) {
			return loadYaml(this, dataId, content);
		}
	},

	/** {@code .xml} in the {@link Properties#loadFromXML} format. */
	XML("xml") {
		@Override
		Map<String, Object> parse(String dataId, String content) {
			Properties properties = new Properties();
			try {
				properties.loadFromXML(new java.io.ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
			}
			catch (IOException | IllegalArgumentException ex) {
				throw new NacosConfigFormatException(dataId, this, lineOf(ex), messageOf(ex), ex);
			}
			Map<String, Object> result = new LinkedHashMap<>();
			properties.stringPropertyNames()
				.stream()
				.sorted()
				.forEach((key) -> result.put(key, properties.getProperty(key)));
			return result;
		}
	};

	private final List<String> extensions;

	NacosConfigFormat(String... extensions) {
		this.extensions = List.of(extensions);
	}

	/**
	 * Parses content into flat property names and values.
	 * @param dataId the data id, for messages and origins
	 * @param content the content, not blank
	 * @return the properties in document order
	 * @throws NacosConfigFormatException when the content is malformed
	 */
	abstract Map<String, Object> parse(String dataId, String content);

	String displayName() {
		return this.extensions.get(0);
	}

	/**
	 * The format of a data id: from its extension, else from the type the server stores,
	 * else from the configured default extension when the data id has none.
	 * @param dataId the data id
	 * @param type the type stored with the config on the server, or {@code null}
	 * @param defaultExtension {@code spring.cloud.nacos.config.file-extension}
	 * @return the format
	 * @throws NacosConfigFormatException naming the data id when no supported format
	 * applies
	 */
	static NacosConfigFormat of(String dataId, @Nullable String type, String defaultExtension) {
		String extension = StringUtils.getFilenameExtension(dataId);
		NacosConfigFormat format = byName(extension);
		if (format == null) {
			format = byName(type);
		}
		if (format == null && extension == null) {
			format = byName(defaultExtension);
		}
		if (format == null) {
			throw new NacosConfigFormatException(dataId, null, null,
					"unknown format (extension '" + extension + "', type '" + type
							+ "'): name the data id *.properties, *.yaml, *.yml, *.json or *.xml,"
							+ " or publish it with one of those types",
					null);
		}
		return format;
	}

	static @Nullable NacosConfigFormat byName(@Nullable String name) {
		if (name == null) {
			return null;
		}
		String lower = name.trim().toLowerCase(Locale.ROOT);
		for (NacosConfigFormat format : values()) {
			if (format.extensions.contains(lower)) {
				return format;
			}
		}
		return null;
	}

	private static Map<String, Object> loadYaml(NacosConfigFormat format, String dataId, String content) {
		try {
			return NacosYamlLoader.load(new NamedResource(dataId, content), content);
		}
		catch (RuntimeException ex) {
			throw new NacosConfigFormatException(dataId, format, lineOf(ex), messageOf(ex), ex);
		}
	}

	private static Map<String, Object> load(PropertySourceLoader loader, String dataId, String content) {
		List<PropertySource<?>> documents;
		try {
			documents = loader.load(dataId, new NamedResource(dataId, content));
		}
		catch (IOException | RuntimeException ex) {
			throw new NacosConfigFormatException(dataId, PROPERTIES, lineOf(ex), messageOf(ex), ex);
		}
		Map<String, Object> result = new LinkedHashMap<>();
		for (PropertySource<?> document : documents) {
			if (document instanceof EnumerablePropertySource<?> enumerable) {
				for (String name : enumerable.getPropertyNames()) {
					// Keep the origin-tracked value: the Environment shows where a value
					// came from.
					Object value = (document.getSource() instanceof Map<?, ?> map) ? map.get(name)
							: document.getProperty(name);
					result.put(name, (value != null) ? value : "");
				}
			}
		}
		return result;
	}

	private static @Nullable Integer lineOf(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked
					&& marked.getProblemMark() != null) {
				return marked.getProblemMark().getLine() + 1;
			}
			if (cause instanceof org.xml.sax.SAXParseException sax && sax.getLineNumber() > 0) {
				return sax.getLineNumber();
			}
		}
		return null;
	}

	private static String messageOf(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		String message = cause.getMessage();
		return (message != null) ? message.strip().replaceAll("\\s*\\n\\s*", " ") : cause.getClass().getSimpleName();
	}

	/** Content with a file name, so that Boot's loaders and origins name the data id. */
	private static final class NamedResource extends ByteArrayResource {

		private final String dataId;

		NamedResource(String dataId, String content) {
			super(content.getBytes(StandardCharsets.UTF_8), "Nacos config '" + dataId + "'");
			this.dataId = dataId;
		}

		@Override
		public String getFilename() {
			return this.dataId;
		}

		@Override
		public String getDescription() {
			return "Nacos config '" + this.dataId + "'";
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return this == other;
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this);
		}

	}

}
