package dev.nacosboot.registry;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InstanceMetadataSizeTests {

	@Test
	void sizeShouldCountKeysAndValuesThatAreNotBlankInUtf16Units() {
		Map<String, String> metadata = new LinkedHashMap<>();
		metadata.put("zone", "hz-a");
		metadata.put("note", "   ");
		metadata.put("\u00e9", "\ud83d\ude00");
		metadata.put(" ", "x");
		assertThat(InstanceMetadataSize.of(metadata)).isEqualTo(4 + 4 + 4 + 1 + 2 + 1);
	}

}
