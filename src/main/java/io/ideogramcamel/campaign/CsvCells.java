package io.ideogramcamel.campaign;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One CSV line (RFC 4180). Products and formats are the caller's text and the file is opened in
 * spreadsheets: a cell starting like a formula (=, +, -, @, or a TAB or CR before one, as OWASP lists)
 * is prefixed with ' so it stays text.
 */
final class CsvCells {

    private CsvCells() {
    }

    static String line(List<Object> values) {
        return values.stream().map(CsvCells::cell).collect(Collectors.joining(","));
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (value instanceof String && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
