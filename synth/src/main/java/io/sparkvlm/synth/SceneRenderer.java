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
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(new Color(scene.background()));
      g.fillRect(0, 0, size, size);
      double cell = size / (double) Scene.GRID;
      for (SceneObject o : scene.objects()) {
        g.setColor(jitter(o.colour().rgb(), r, 12));
        double radius = o.size().radiusOfCell() * cell;
        Shape outline = outline(o.shape(), radius);
        AffineTransform at = new AffineTransform();
        at.translate(o.x() * size, o.y() * size);
        at.rotate(Math.toRadians(o.rotation()));
        Shape placed = at.createTransformedShape(outline);
        g.fill(placed);
        g.setColor(new Color(darker(o.colour().rgb())));
        g.setStroke(new BasicStroke((float) Math.max(0.6, size / 96.0)));
        g.draw(placed);
      }
      scene.word().ifPresent(word -> drawWord(g, word, scene.background()));
    } finally {
      g.dispose();
    }
    light(image, scene.lightAngle(), scene.lightStrength());
    noise(image, r, 3.0);
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
