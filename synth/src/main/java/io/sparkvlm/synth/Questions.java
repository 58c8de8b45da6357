package io.sparkvlm.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/** Questions about a scene, answered from its scene graph: for VQA files and instruction conversations. */
public final class Questions {
  private Questions() {}

  /**
   * A question and its answer.
   *
   * @param question the question
   * @param answer the short answer (VQA style: "2", "yes", "red")
   * @param sentence the answer as a sentence (instruction-tuning style)
   * @param questionType VQA question type (the question's leading words, e.g. "how many")
   * @param answerType VQA answer type: "yes/no", "number" or "other"
   * @param kind what is asked: count, colour, existence, shape, spatial, ocr, total
   */
  public record QA(String question, String answer, String sentence, String questionType, String answerType,
      String kind) {}

  /** Every kind of question this scene supports, one of each, in random order. */
  public static List<QA> about(Scene s, SplittableRandom r) {
    List<QA> out = new ArrayList<>();
    out.add(count(s, r));
    out.add(total(s));
    out.add(existence(s, r));
    List<SceneObject> uniqueShape = new ArrayList<>();
    List<SceneObject> uniqueColour = new ArrayList<>();
    for (SceneObject o : s.objects()) {
      if (s.count(o.shape()) == 1) {
        uniqueShape.add(o);
      }
      if (s.objects().stream().filter(x -> x.colour() == o.colour()).count() == 1) {
        uniqueColour.add(o);
      }
    }
    if (!uniqueShape.isEmpty()) {
      SceneObject o = Captioner.pick(uniqueShape, r);
      out.add(new QA("What color is the " + o.shape().word() + "?", o.colour().word(),
          "The " + o.shape().word() + " is " + o.colour().word() + ".", "what color is the", "other", "colour"));
    }
    if (!uniqueColour.isEmpty()) {
      SceneObject o = Captioner.pick(uniqueColour, r);
      out.add(new QA("What shape is the " + o.colour().word() + " object?", o.shape().word(),
          "The " + o.colour().word() + " object is " + Captioner.article(o.shape().word()) + " "
              + o.shape().word() + ".", "what shape is the", "other", "shape"));
    }
    spatial(s, r).ifPresent(out::add);
    s.word().ifPresent(w -> out.add(new QA("What word is written in the image?", w.toLowerCase(Locale.ROOT),
        "The word " + w + " is written at the bottom of the image.", "what word is", "other", "ocr")));
    SceneSampler.shuffle(out, r);
    return out;
  }

  private static QA count(Scene s, SplittableRandom r) {
    Shape shape = r.nextDouble() < 0.75 ? Captioner.pick(s.objects(), r).shape()
        : Shape.values()[r.nextInt(Shape.values().length)];
    long n = s.count(shape);
    String plural = Shape.plural(shape.word());
    String sentence = n == 0 ? "There are no " + plural + "."
        : n == 1 ? "There is one " + shape.word() + "." : "There are " + n + " " + plural + ".";
    return new QA("How many " + plural + " are there?", Long.toString(n), sentence, "how many", "number", "count");
  }

  private static QA total(Scene s) {
    int n = s.objects().size();
    return new QA("How many objects are there?", Integer.toString(n),
        n == 1 ? "There is one object." : "There are " + n + " objects.", "how many", "number", "total");
  }

  private static QA existence(Scene s, SplittableRandom r) {
    Combo combo;
    if (r.nextBoolean()) {
      SceneObject o = Captioner.pick(s.objects(), r);
      combo = new Combo(o.colour(), o.shape());
    } else {
      do {
        combo = new Combo(Colour.values()[r.nextInt(Colour.values().length)],
            Shape.values()[r.nextInt(Shape.values().length)]);
      } while (s.count(combo.colour(), combo.shape()) > 0);
    }
    boolean yes = s.count(combo.colour(), combo.shape()) > 0;
    String thing = combo.colour().word() + " " + combo.shape().word();
    return new QA("Is there " + Captioner.article(thing) + " " + thing + "?", yes ? "yes" : "no",
        yes ? "Yes, there is " + Captioner.article(thing) + " " + thing + "." : "No, there is no " + thing + ".",
        "is there a", "yes/no", "existence");
  }

  private static java.util.Optional<QA> spatial(Scene s, SplittableRandom r) {
    List<SceneObject> unique = new ArrayList<>();
    for (SceneObject o : s.objects()) {
      if (s.count(o.colour(), o.shape()) == 1) {
        unique.add(o);
      }
    }
    for (int attempt = 0; attempt < 6 && unique.size() >= 2; attempt++) {
      SceneObject a = Captioner.pick(unique, r);
      SceneObject b = Captioner.pick(unique, r);
      if (a == b || a.col() == b.col()) {
        continue;
      }
      String an = a.colour().word() + " " + a.shape().word();
      String bn = b.colour().word() + " " + b.shape().word();
      boolean yes = a.col() < b.col();
      return java.util.Optional.of(new QA("Is the " + an + " to the left of the " + bn + "?", yes ? "yes" : "no",
          (yes ? "Yes, the " : "No, the ") + an + " is to the " + (yes ? "left" : "right") + " of the " + bn + ".",
          "is the", "yes/no", "spatial"));
    }
    return java.util.Optional.empty();
  }

  /**
   * Ten human answers to {@code qa}, varied the way real annotators vary ("2" and "two", "Yes", "a circle", "red.")
   * but all equal to the answer after the official VQA normalisation.
   */
  public static List<String> humanAnswers(QA qa, SplittableRandom r) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      double u = r.nextDouble();
      String a = qa.answer();
      switch (qa.answerType()) {
        case "number" -> out.add(u < 0.3 ? Captioner.NUMBERS[Integer.parseInt(a)] : a);
        case "yes/no" -> out.add(u < 0.15 ? Captioner.capitalise(a) : u < 0.2 ? a + "." : a);
        default -> out.add(u < 0.1 ? Captioner.capitalise(a) : u < 0.2 && qa.kind().equals("shape")
            ? Captioner.article(a) + " " + a : u < 0.25 ? a + "." : qa.kind().equals("ocr") && u < 0.4
            ? a.toUpperCase(Locale.ROOT) : a);
      }
    }
    return out;
  }
}
