package io.orthrus.tokenize;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code strftime} for the directives chat templates use, in English as the C locale writes them. */
final class Strftime {
    private Strftime() {}

    /**
     * {@code time} in {@code format}: {@code %d %m %Y %y %H %I %M %S %p %j %a %A %b %B %%}, and glibc's
     * {@code %-d}-style unpadded numbers; any other directive is left as written.
     */
    static String format(LocalDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            boolean unpadded = format.charAt(i + 1) == '-' && i + 2 < format.length();
            char d = format.charAt(unpadded ? i + 2 : i + 1);
            String value = switch (d) {
                case 'd' -> number(time.getDayOfMonth(), 2, unpadded);
                case 'm' -> number(time.getMonthValue(), 2, unpadded);
                case 'Y' -> Integer.toString(time.getYear());
                case 'y' -> number(time.getYear() % 100, 2, unpadded);
                case 'H' -> number(time.getHour(), 2, unpadded);
                case 'I' -> number(time.getHour() % 12 == 0 ? 12 : time.getHour() % 12, 2, unpadded);
                case 'M' -> number(time.getMinute(), 2, unpadded);
                case 'S' -> number(time.getSecond(), 2, unpadded);
                case 'p' -> time.getHour() < 12 ? "AM" : "PM";
                case 'j' -> number(time.getDayOfYear(), 3, unpadded);
                case 'a' -> time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b' -> time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case '%' -> "%";
                default -> null;
            };
            if (value == null) {
                out.append(c);
                continue;
            }
            out.append(value);
            i += unpadded ? 2 : 1;
        }
        return out.toString();
    }

    private static String number(int value, int width, boolean unpadded) {
        String s = Integer.toString(value);
        return unpadded || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
