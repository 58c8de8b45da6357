package io.sparkvlm.synth;

import java.awt.Graphics2D;
import java.util.Map;

/**
 * A 5x7 pixel font for the words written in scenes. Built in rather than a system font, so images are the same
 * bytes on every machine (system fonts differ, and a headless JDK may have none).
 */
final class PixelFont {
  static final int WIDTH = 5;
  static final int HEIGHT = 7;

  private static final Map<Character, String[]> GLYPHS = Map.ofEntries(
      Map.entry('A', rows(".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#")),
      Map.entry('B', rows("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.")),
      Map.entry('C', rows(".###.", "#...#", "#....", "#....", "#....", "#...#", ".###.")),
      Map.entry('D', rows("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####.")),
      Map.entry('E', rows("#####", "#....", "#....", "####.", "#....", "#....", "#####")),
      Map.entry('F', rows("#####", "#....", "#....", "####.", "#....", "#....", "#....")),
      Map.entry('G', rows(".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####")),
      Map.entry('H', rows("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#")),
      Map.entry('I', rows(".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.")),
      Map.entry('J', rows("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..")),
      Map.entry('K', rows("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#")),
      Map.entry('L', rows("#....", "#....", "#....", "#....", "#....", "#....", "#####")),
      Map.entry('M', rows("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#")),
      Map.entry('N', rows("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#")),
      Map.entry('O', rows(".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.")),
      Map.entry('P', rows("####.", "#...#", "#...#", "####.", "#....", "#....", "#....")),
      Map.entry('Q', rows(".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#")),
      Map.entry('R', rows("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#")),
      Map.entry('S', rows(".####", "#....", "#....", ".###.", "....#", "....#", "####.")),
      Map.entry('T', rows("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..")),
      Map.entry('U', rows("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.")),
      Map.entry('V', rows("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..")),
      Map.entry('W', rows("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#.")),
      Map.entry('X', rows("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#")),
      Map.entry('Y', rows("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#..")),
      Map.entry('Z', rows("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####")));

  private PixelFont() {}

  private static String[] rows(String... rows) {
    return rows;
  }

  /** Width in pixels of {@code text} at {@code scale} pixels per font pixel, with one font pixel between letters. */
  static int width(String text, int scale) {
    return text.isEmpty() ? 0 : (text.length() * (WIDTH + 1) - 1) * scale;
  }

  /** Draws {@code text} (A-Z) with its top-left corner at (x, y), in the graphics' current colour. */
  static void draw(Graphics2D g, String text, int x, int y, int scale) {
    int cursor = x;
    for (char c : text.toCharArray()) {
      String[] glyph = GLYPHS.get(c);
      if (glyph == null) {
        throw new IllegalArgumentException("PixelFont has no glyph for '" + c + "'");
      }
      for (int row = 0; row < HEIGHT; row++) {
        for (int col = 0; col < WIDTH; col++) {
          if (glyph[row].charAt(col) == '#') {
            g.fillRect(cursor + col * scale, y + row * scale, scale, scale);
          }
        }
      }
      cursor += (WIDTH + 1) * scale;
    }
  }
}
