package io.sparkvlm.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkvlm.core.text.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LLaVA's conversation format, read as LLaVA writes it; an item missing a part is refused naming it. */
class LlavaConversationsTest {
  @TempDir
  Path dir;

  private java.util.List<LlavaConversations.Item> read(String json) throws Exception {
    Path f = dir.resolve("conv.json");
    Files.writeString(f, json);
    return LlavaConversations.read(new org.apache.hadoop.fs.Path(f.toString()), new Configuration());
  }

  @Test
  void itemsWithTheirTurnsInOrderAndTextOnlyItemsWithoutAnImage() throws Exception {
    var items = read("[{\"id\": \"a\", \"image\": \"x.jpg\", \"conversations\": [{\"from\": \"system\", \"value\": "
        + "\"Be brief.\"}, {\"from\": \"human\", \"value\": \"<image>\\nColour?\"}, {\"from\": \"gpt\", \"value\": "
        + "\"red\"}]}, {\"id\": 7, \"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}]}]");
    assertThat(items).hasSize(2);
    assertThat(items.get(0).image()).isEqualTo("x.jpg");
    assertThat(items.get(0).turns()).extracting(ChatTemplate.Turn::role).containsExactly(ChatTemplate.Role.SYSTEM,
        ChatTemplate.Role.USER, ChatTemplate.Role.ASSISTANT);
    assertThat(items.get(0).turns().get(2).text()).isEqualTo("red");
    assertThat(items.get(1).id()).isEqualTo("7");
    assertThat(items.get(1).image()).isNull();
  }

  @Test
  void aMissingPartIsAnErrorNamingTheItem() {
    assertThatThrownBy(() -> read("{\"id\": \"a\"}")).isInstanceOf(DatasetError.class)
        .hasMessageContaining("is not a LLaVA conversation file");
    assertThatThrownBy(() -> read("[{\"image\": \"x.jpg\", \"conversations\": []}]"))
        .hasMessageContaining("item 1 (id none) has no 'id'");
    assertThatThrownBy(() -> read("[{\"id\": \"a\", \"image\": \"x.jpg\"}]"))
        .hasMessageContaining("item 1 (id a) has no 'conversations' array");
    assertThatThrownBy(() -> read("[{\"id\": \"a\", \"conversations\": [{\"from\": \"robot\", \"value\": \"hi\"}]}]"))
        .hasMessageContaining("turn 1 is from 'robot'");
    assertThatThrownBy(() -> read("[{\"id\": \"a\", \"conversations\": [{\"from\": \"gpt\"}]}]"))
        .hasMessageContaining("turn 1 has no text 'value'");
  }

  @Test
  void aFileThatIsNotOneJsonValueOrIsNotThereIsNamedWithThePlace() {
    // cut short, as a copy that stopped midway leaves it
    assertThatThrownBy(() -> read("[{\"id\": \"a\",\n \"conversations\": [")).isInstanceOf(DatasetError.class)
        .hasMessageContaining("conv.json is not one JSON value").hasMessageContaining("at line 2");
    // two files run together: json.load's "Extra data", never the first array alone
    assertThatThrownBy(() -> read("[]\n[]")).isInstanceOf(DatasetError.class)
        .hasMessageContaining("is not one JSON value");
    assertThatThrownBy(() -> LlavaConversations.read(new org.apache.hadoop.fs.Path(dir.resolve("none.json")
        .toString()), new Configuration())).isInstanceOf(DatasetError.class)
        .hasMessageContaining("cannot read the LLaVA conversation file").hasMessageContaining("none.json");
  }
}
