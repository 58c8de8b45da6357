package io.sparkvlm.synth;

/** The object colours of the synthetic world, as sRGB. Backgrounds are greys and muted tones that none of these is. */
public enum Colour {
  RED("red", 0xD62828),
  ORANGE("orange", 0xF77F00),
  YELLOW("yellow", 0xFCDC2A),
  GREEN("green", 0x2A9D3F),
  CYAN("cyan", 0x22C3D6),
  BLUE("blue", 0x1D4ED8),
  PURPLE("purple", 0x7B2CBF),
  PINK("pink", 0xF472B6);

  private final String word;
  private final int rgb;

  Colour(String word, int rgb) {
    this.word = word;
    this.rgb = rgb;
  }

  public String word() {
    return word;
  }

  public int rgb() {
    return rgb;
  }
}
