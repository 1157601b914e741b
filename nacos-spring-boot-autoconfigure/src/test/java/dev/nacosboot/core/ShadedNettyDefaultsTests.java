package dev.nacosboot.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ShadedNettyDefaultsTests {

	@Test
	void applyShouldChooseTheUnpooledAllocatorAndKeepAValueTheUserSet() {
		String before = System.getProperty(ShadedNettyDefaults.ALLOCATOR_TYPE);
		try {
			System.clearProperty(ShadedNettyDefaults.ALLOCATOR_TYPE);
			ShadedNettyDefaults.apply();
			assertThat(System.getProperty(ShadedNettyDefaults.ALLOCATOR_TYPE)).isEqualTo("unpooled");
			System.setProperty(ShadedNettyDefaults.ALLOCATOR_TYPE, "pooled");
			ShadedNettyDefaults.apply();
			assertThat(System.getProperty(ShadedNettyDefaults.ALLOCATOR_TYPE)).isEqualTo("pooled");
		}
		finally {
			if (before != null) {
				System.setProperty(ShadedNettyDefaults.ALLOCATOR_TYPE, before);
			}
			else {
				System.clearProperty(ShadedNettyDefaults.ALLOCATOR_TYPE);
			}
		}
	}

}
