package io.sparkvlm.synth;

import io.sparkvlm.synth.Captioner.Group;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/** Writes the "alt-text" of web images according to a {@link NoiseType}. */
public final class WebCaptioner {
  static final String[] BOILERPLATE = {"IMG_%04d.jpg", "DSC%05d.JPG", "click to enlarge", "Stock Photo - Royalty Free",
      "image", "thumbnail", "untitled-%d.png", "Photo by Jane Doe / Stock", "View larger image", "download now",
      "Copyright (c) All rights reserved", "Image %d of 24"};
  static final String[] SHORT = {"", " ", "a", "ok", "x", "."};

  private WebCaptioner() {}

  /**
   * The web caption of {@code scene}. {@code other} is another scene of the same split, used for mismatched
   * captions; it must differ from {@code scene} in its colour-shape groups.
   */
  public static String caption(Scene scene, NoiseType type, Scene other, SplittableRandom r) {
    return switch (type) {
      case CORRECT -> Captioner.clean(scene, 1, r).get(0);
      case TERSE -> Captioner.terse(scene, r);
      case WRONG_COLOUR -> wrongColour(scene, r);
      case WRONG_COUNT -> wrongCount(scene, r);
      case WRONG_SHAPE -> wrongShape(scene, r);
      case MISMATCHED -> Captioner.clean(other, 1, r).get(0);
      case BOILERPLATE -> String.format(Captioner.pick(BOILERPLATE, r), r.nextInt(1, 10000));
      case EMPTY_OR_SHORT -> Captioner.pick(SHORT, r);
    };
  }

  /**
   * Whether {@code other}'s caption could be true of {@code scene}: every colour-shape combination in
   * {@code other} also appears in {@code scene}. A mismatched caption must come from a scene where this is false.
   */
  public static boolean couldDescribe(Scene other, Scene scene) {
    return combos(scene).containsAll(combos(other));
  }

  private static List<Combo> combos(Scene s) {
    List<Combo> out = new ArrayList<>();
    for (Group g : Captioner.groups(s)) {
      out.add(new Combo(g.colour(), g.shape()));
    }
    return out;
  }

  private static String wrongColour(Scene scene, SplittableRandom r) {
    List<Group> groups = new ArrayList<>(Captioner.groups(scene));
    int i = r.nextInt(groups.size());
    Group g = groups.get(i);
    Colour c;
    do {
      c = Colour.values()[r.nextInt(Colour.values().length)];
    } while (scene.count(c, g.shape()) > 0);
    groups.set(i, new Group(c, g.shape(), g.count(), g.size()));
    return render(groups, r);
  }

  private static String wrongShape(Scene scene, SplittableRandom r) {
    List<Group> groups = new ArrayList<>(Captioner.groups(scene));
    int i = r.nextInt(groups.size());
    Group g = groups.get(i);
    Shape s;
    do {
      s = Shape.values()[r.nextInt(Shape.values().length)];
    } while (scene.count(g.colour(), s) > 0);
    groups.set(i, new Group(g.colour(), s, g.count(), g.size()));
    return render(groups, r);
  }

  private static String wrongCount(Scene scene, SplittableRandom r) {
    List<Group> groups = new ArrayList<>(Captioner.groups(scene));
    int i = r.nextInt(groups.size());
    Group g = groups.get(i);
    int n;
    do {
      n = r.nextInt(1, 5);
    } while (n == g.count());
    groups.set(i, new Group(g.colour(), g.shape(), n, Optional.empty()));
    return render(groups, r);
  }

  private static String render(List<Group> groups, SplittableRandom r) {
    SceneSampler.shuffle(groups, r);
    List<String> phrases = new ArrayList<>();
    for (Group g : groups) {
      phrases.add(Captioner.phrase(g, r.nextBoolean(), r));
    }
    return Captioner.capitalise(Captioner.join(phrases));
  }
}
