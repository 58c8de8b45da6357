package io.sparkvlm.core.config;

/**
 * Whether two recorded values of one setting are the same setting. Records hold values as text, and HOCON gives a
 * value set on the command line as a string and the same value in a file as a number: "9" and 9, "20" and 20.0 are
 * one setting; "20" and "20.5", or "a" and "b", are not.
 */
public final class SettingValues {
  private SettingValues() {}

  public static boolean same(String a, String b) {
    if (java.util.Objects.equals(a, b)) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    try {
      return Double.parseDouble(a.trim()) == Double.parseDouble(b.trim());
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
