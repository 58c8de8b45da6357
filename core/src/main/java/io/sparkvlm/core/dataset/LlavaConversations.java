package io.sparkvlm.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvlm.core.text.ChatTemplate;
import io.sparkvlm.core.text.ChatTemplate.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A LLaVA conversation file, as LLaVA's {@code llava_instruct_150k.json} and the synthetic world's instruct split are
 * written:
 * <pre>
 *   [{"id": "0001", "image": "a.jpg", "conversations": [{"from": "human", "value": "..."}, {"from": "gpt", ...}]}]
 * </pre>
 * Read on the driver. A file that is not a JSON array, an item without an id or a conversations array, a turn from
 * another speaker or without a text value is a {@link DatasetError} naming the file and the item: a missing value
 * would otherwise train an empty answer. The image is optional here (LLaVA-1.5's mix has text-only items); a
 * reader that needs one checks {@link Item#image()}.
 */
public final class LlavaConversations {
  public static final String ID = "id";
  public static final String IMAGE = "image";
  public static final String CONVERSATIONS = "conversations";
  public static final String FROM = "from";
  public static final String VALUE = "value";
  /** LLaVA's speaker names. */
  public static final Map<String, Role> SPEAKERS = Map.of("human", Role.USER, "gpt", Role.ASSISTANT, "system",
      Role.SYSTEM);

  private LlavaConversations() {}

  /** One item: its id, its image's path as the file gives it (null for a text-only item), its turns in order. */
  public record Item(String id, String image, List<ChatTemplate.Turn> turns) {}

  /** Every item of the file, in its order. */
  public static List<Item> read(Path file, Configuration conf) {
    JsonNode root = JsonFiles.read(file, conf, "the LLaVA conversation file");
    if (root == null || !root.isArray()) {
      throw new DatasetError(file + " is not a LLaVA conversation file: a JSON array of {" + ID + ", " + IMAGE + ", "
          + CONVERSATIONS + "}");
    }
    List<Item> out = new ArrayList<>();
    int index = 0;
    for (JsonNode item : root) {
      String where = file + " item " + (index + 1) + " (id " + item.path(ID).asText("none") + ")";
      if (!item.path(ID).isValueNode() || item.path(ID).isNull()) {
        throw new DatasetError(where + " has no '" + ID + "'");
      }
      if (item.has(IMAGE) && !item.get(IMAGE).isTextual()) {
        throw new DatasetError(where + ": '" + IMAGE + "' is not a path (got " + item.get(IMAGE) + ")");
      }
      if (!item.path(CONVERSATIONS).isArray()) {
        throw new DatasetError(where + " has no '" + CONVERSATIONS + "' array");
      }
      List<ChatTemplate.Turn> turns = new ArrayList<>();
      int t = 0;
      for (JsonNode turn : item.get(CONVERSATIONS)) {
        Role role = SPEAKERS.get(turn.path(FROM).asText());
        if (role == null) {
          throw new DatasetError(where + ": turn " + (t + 1) + " is from '" + turn.path(FROM).asText()
              + "' (expected one of " + SPEAKERS.keySet() + ")");
        }
        if (!turn.path(VALUE).isTextual()) {
          throw new DatasetError(where + ": turn " + (t + 1) + " has no text '" + VALUE + "'");
        }
        turns.add(new ChatTemplate.Turn(role, turn.get(VALUE).asText()));
        t++;
      }
      out.add(new Item(item.get(ID).asText(), item.has(IMAGE) ? item.get(IMAGE).asText() : null,
          List.copyOf(turns)));
      index++;
    }
    return out;
  }
}
