package io.sparkvlm.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Draws a scene with Java2D, anti-aliased: flat background, the objects (each with a slight colour jitter), the
 * word if any, then a lighting gradient over everything and mild per-pixel noise, so no two images are
 * pixel-identical templates. Deterministic for a given scene and noise seed.
 */
public final class SceneRenderer {
  private final int size;

  public SceneRenderer(int size) {
    if (size < 16 || size > 1024) {
      throw new IllegalArgumentException("image size must be between 16 and 1024 pixels, got " + size);
    }
    this.size = size;
  }

  public BufferedImage render(Scene scene, long noiseSeed) {
    SplittableRandom r = new SplittableRandom(noiseSeed);
    BufferedImage image = draw(scene, r);
    light(image, scene.lightAngle(), scene.lightStrength());
    noise(image, r, 3.0);
    return image;
  }

  /** The scene drawn without the lighting gradient and the noise (colours still jittered). */
  BufferedImage renderClean(Scene scene) {
    return draw(scene, new SplittableRandom(0));
  }

  private BufferedImage draw(Scene scene, SplittableRandom r) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(new Color(scene.background()));
      g.fillRect(0, 0, size, size);
      for (SceneObject o : scene.objects()) {
        g.setColor(jitter(o.colour().rgb(), r, 12));
        Shape placed = placed(o, size);
        g.fill(placed);
        g.setColor(new Color(darker(o.colour().rgb())));
        g.setStroke(new BasicStroke((float) strokeWidth(size)));
        g.draw(placed);
      }
      scene.word().ifPresent(word -> drawWord(g, word, scene.background()));
    } finally {
      g.dispose();
    }
    return image;
  }

  private void drawWord(Graphics2D g, String word, int background) {
    int band = size / Scene.GRID;
    int scale = Math.max(1, Math.min((size - 4) / PixelFont.width(word, 1), (band - 2) / PixelFont.HEIGHT));
    int x = (size - PixelFont.width(word, scale)) / 2;
    int y = size - band + (band - PixelFont.HEIGHT * scale) / 2;
    g.setColor(luminance(background) > 128 ? new Color(0x111111) : new Color(0xF5F5F5));
    PixelFont.draw(g, word, x, y, scale);
  }

  /** The object's outline where it is drawn in an image of {@code size} pixels: sized, rotated, placed. */
  static Shape placed(SceneObject o, int size) {
    double cell = size / (double) Scene.GRID;
    double radius = o.size().radiusOfCell() * cell;
    AffineTransform at = new AffineTransform();
    at.translate(o.x() * size, o.y() * size);
    at.rotate(Math.toRadians(o.rotation()));
    return at.createTransformedShape(outline(o.shape(), radius));
  }

  private static double strokeWidth(int size) {
    return Math.max(0.6, size / 96.0);
  }

  /**
   * The object's box in an image of {@code size} pixels, COCO's [x, y, width, height]: the bounds of what is drawn
   * (the filled outline and its stroke, whose mitred joins reach past a star's points), cut to the image.
   */
  static double[] box(SceneObject o, int size) {
    Shape placed = placed(o, size);
    double[] b = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.NEGATIVE_INFINITY};
    tightBounds(placed, b);
    tightBounds(new BasicStroke((float) strokeWidth(size)).createStrokedShape(placed), b);
    double x0 = Math.max(0, b[0]);
    double y0 = Math.max(0, b[1]);
    double x1 = Math.min(size, b[2]);
    double y1 = Math.min(size, b[3]);
    return new double[] {x0, y0, x1 - x0, y1 - y0};
  }

  /**
   * Grows {@code bounds} (min x, min y, max x, max y) to the shape's points, its curves flattened to within 0.01 px:
   * Java 17's getBounds2D counts a curve's control points, loose for a rotated circle.
   */
  private static void tightBounds(Shape shape, double[] bounds) {
    double[] point = new double[6];
    for (java.awt.geom.PathIterator it = shape.getPathIterator(null, 0.01); !it.isDone(); it.next()) {
      if (it.currentSegment(point) != java.awt.geom.PathIterator.SEG_CLOSE) {
        bounds[0] = Math.min(bounds[0], point[0]);
        bounds[1] = Math.min(bounds[1], point[1]);
        bounds[2] = Math.max(bounds[2], point[0]);
        bounds[3] = Math.max(bounds[3], point[1]);
      }
    }
  }

  /** The shape's outline centred on the origin, fitting in a circle of {@code radius}. */
  static Shape outline(io.sparkvlm.synth.Shape shape, double radius) {
    return switch (shape) {
      case CIRCLE -> new Ellipse2D.Double(-radius, -radius, 2 * radius, 2 * radius);
      case SQUARE -> polygon(4, radius, Math.PI / 4);
      case TRIANGLE -> polygon(3, radius * 1.1, -Math.PI / 2);
      case HEXAGON -> polygon(6, radius, 0);
      case DIAMOND -> {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, -radius);
        p.lineTo(radius * 0.62, 0);
        p.lineTo(0, radius);
        p.lineTo(-radius * 0.62, 0);
        p.closePath();
        yield p;
      }
      case STAR -> {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < 10; i++) {
          double rr = i % 2 == 0 ? radius * 1.05 : radius * 0.45;
          double a = -Math.PI / 2 + i * Math.PI / 5;
          if (i == 0) {
            p.moveTo(rr * Math.cos(a), rr * Math.sin(a));
          } else {
            p.lineTo(rr * Math.cos(a), rr * Math.sin(a));
          }
        }
        p.closePath();
        yield p;
      }
      case CROSS -> {
        double t = radius * 0.36;
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-t, -radius);
        p.lineTo(t, -radius);
        p.lineTo(t, -t);
        p.lineTo(radius, -t);
        p.lineTo(radius, t);
        p.lineTo(t, t);
        p.lineTo(t, radius);
        p.lineTo(-t, radius);
        p.lineTo(-t, t);
        p.lineTo(-radius, t);
        p.lineTo(-radius, -t);
        p.lineTo(-t, -t);
        p.closePath();
        yield p;
      }
    };
  }

  private static Path2D.Double polygon(int sides, double radius, double phase) {
    Path2D.Double p = new Path2D.Double();
    for (int i = 0; i < sides; i++) {
      double a = phase + 2 * Math.PI * i / sides;
      if (i == 0) {
        p.moveTo(radius * Math.cos(a), radius * Math.sin(a));
      } else {
        p.lineTo(radius * Math.cos(a), radius * Math.sin(a));
      }
    }
    p.closePath();
    return p;
  }

  private static Color jitter(int rgb, SplittableRandom r, int amount) {
    int red = clamp(((rgb >> 16) & 0xFF) + r.nextInt(-amount, amount + 1));
    int green = clamp(((rgb >> 8) & 0xFF) + r.nextInt(-amount, amount + 1));
    int blue = clamp((rgb & 0xFF) + r.nextInt(-amount, amount + 1));
    return new Color(red, green, blue);
  }

  private static int darker(int rgb) {
    int red = (int) (((rgb >> 16) & 0xFF) * 0.7);
    int green = (int) (((rgb >> 8) & 0xFF) * 0.7);
    int blue = (int) ((rgb & 0xFF) * 0.7);
    return (red << 16) | (green << 8) | blue;
  }

  private static int luminance(int rgb) {
    return (int) (0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF));
  }

  /** Multiplies every pixel by 1 + strength * (position along the light direction - 0.5). */
  private void light(BufferedImage image, double angleDegrees, double strength) {
    double dx = Math.cos(Math.toRadians(angleDegrees));
    double dy = Math.sin(Math.toRadians(angleDegrees));
    double norm = Math.abs(dx) + Math.abs(dy);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double t = ((x / (double) size - 0.5) * dx + (y / (double) size - 0.5) * dy) / norm; // -0.5..0.5
        double f = 1 + strength * t;
        int rgb = image.getRGB(x, y);
        image.setRGB(x, y, (clamp(((rgb >> 16) & 0xFF) * f) << 16) | (clamp(((rgb >> 8) & 0xFF) * f) << 8)
            | clamp((rgb & 0xFF) * f));
      }
    }
  }

  private void noise(BufferedImage image, SplittableRandom r, double sigma) {
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb = image.getRGB(x, y);
        int red = clamp(((rgb >> 16) & 0xFF) + gaussian(r) * sigma);
        int green = clamp(((rgb >> 8) & 0xFF) + gaussian(r) * sigma);
        int blue = clamp((rgb & 0xFF) + gaussian(r) * sigma);
        image.setRGB(x, y, (red << 16) | (green << 8) | blue);
      }
    }
  }

  /** A standard normal sample (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
