package dev.nacosboot.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown table printed with aligned columns, so that it reads in a terminal and
 * pastes into the README.
 */
final class Table {

	private final List<String[]> rows = new ArrayList<>();

	Table(String... header) {
		this.rows.add(header);
	}

	Table row(Object... cells) {
		String[] row = new String[cells.length];
		for (int i = 0; i < cells.length; i++) {
			row[i] = (cells[i] instanceof Double value) ? Stats.format(value) : String.valueOf(cells[i]);
		}
		this.rows.add(row);
		return this;
	}

	/** A row of a measured quantity: name, then n, p50, p99, max. */
	Table stats(String name, Stats stats) {
		return row(name, stats.count(), stats.p50(), stats.p99(), stats.max());
	}

	void print(PrintStream out) {
		int columns = this.rows.get(0).length;
		int[] widths = new int[columns];
		for (String[] row : this.rows) {
			for (int i = 0; i < columns; i++) {
				widths[i] = Math.max(widths[i], row[i].length());
			}
		}
		for (int r = 0; r < this.rows.size(); r++) {
			out.println(line(this.rows.get(r), widths));
			if (r == 0) {
				String[] rule = new String[columns];
				for (int i = 0; i < columns; i++) {
					rule[i] = "-".repeat(widths[i]);
				}
				out.println(line(rule, widths));
			}
		}
		out.println();
	}

	private static String line(String[] cells, int[] widths) {
		StringBuilder line = new StringBuilder("|");
		for (int i = 0; i < widths.length; i++) {
			line.append(' ').append(cells[i]).append(" ".repeat(widths[i] - cells[i].length())).append(" |");
		}
		return line.toString();
	}

}
