package io.sparkvlm.training.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FlatArrayTest {
  @Test
  void valuesRoundTripInFloatAndDoubleIntoWholeArraysAndViews() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray source = Nd4j.linspace(type, 1, 12, 1).reshape(3, 4);
      FlatArray flat = FlatArray.of(source);
      assertThat(flat.length()).isEqualTo(12);
      INDArray whole = Nd4j.zeros(type, 1, 12);
      flat.assignTo(whole);
      assertThat(whole).isEqualTo(source.reshape(1, 12));
      INDArray big = Nd4j.zeros(type, 2, 12);
      INDArray row = big.get(NDArrayIndex.point(1), NDArrayIndex.all());   // a view at an offset
      flat.assignTo(row);
      assertThat(big.getRow(0).sumNumber().doubleValue()).isZero();
      assertThat(big.getRow(1)).isEqualTo(source.reshape(12));
      // a view read back is the view's values, not its buffer's
      assertThat(FlatArray.of(row)).isEqualTo(flat);
    }
  }

  @Test
  void sumsAndMeansElementByElement() {
    FlatArray a = FlatArray.of(Nd4j.createFromArray(1f, 2f, 3f));
    a.addInPlace(FlatArray.of(Nd4j.createFromArray(3f, 4f, 5f))).divideInPlace(2);
    assertThat(a).isEqualTo(FlatArray.of(Nd4j.createFromArray(2f, 3f, 4f)));
  }

  @Test
  void refusesArraysThatDoNotAddUp() {
    FlatArray floats = FlatArray.of(Nd4j.createFromArray(1f, 2f));
    assertThatThrownBy(() -> floats.addInPlace(FlatArray.of(Nd4j.createFromArray(1f, 2f, 3f))))
        .hasMessageContaining("3 floats").hasMessageContaining("2 floats");
    assertThatThrownBy(() -> floats.addInPlace(FlatArray.of(Nd4j.createFromArray(1d, 2d))))
        .hasMessageContaining("2 doubles");
    assertThatThrownBy(() -> FlatArray.of(Nd4j.createFromArray(1, 2))).hasMessageContaining("INT");
    assertThatThrownBy(() -> floats.assignTo(Nd4j.zeros(DataType.FLOAT, 3))).hasMessageContaining("array of 3");
  }
}
