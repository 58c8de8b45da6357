package io.sparkvlm.synth;

/**
 * One object of a scene.
 *
 * @param shape what it is
 * @param colour its colour
 * @param size small or large
 * @param row grid row, 0 at the top
 * @param col grid column, 0 at the left
 * @param x centre, as a fraction of the image width
 * @param y centre, as a fraction of the image height
 * @param rotation rotation in degrees
 */
public record SceneObject(Shape shape, Colour colour, Size size, int row, int col, double x, double y,
    double rotation) {

  /** Where it is in words: top left, centre, bottom, ... */
  public String place() {
    String vertical = row == 0 ? "top" : row == Scene.GRID - 1 ? "bottom" : "";
    String horizontal = col == 0 ? "left" : col == Scene.GRID - 1 ? "right" : "";
    if (vertical.isEmpty() && horizontal.isEmpty()) {
      return "center";
    }
    return (vertical + " " + horizontal).trim();
  }
}
