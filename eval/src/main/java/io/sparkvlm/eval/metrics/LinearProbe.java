package io.sparkvlm.eval.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Linear probe: multinomial logistic regression (Spark MLlib, L2-regularised) on frozen image embeddings, trained on
 * one split and scored on another; reports top-1 accuracy and mean per-class recall.
 */
public final class LinearProbe {
  static final StructType SCHEMA = new StructType()
      .add("features", SQLDataTypes.VectorType(), false)
      .add("label", DataTypes.DoubleType, false);

  private LinearProbe() {}

  public static Dataset<Row> frame(SparkSession spark, double[][] embeddings, int[] labels) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < embeddings.length; i++) {
      rows.add(RowFactory.create(Vectors.dense(embeddings[i]), (double) labels[i]));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  public static Map<String, Double> evaluate(Dataset<Row> train, Dataset<Row> test, int classes, double regParam) {
    LogisticRegressionModel model = new LogisticRegression().setFamily("multinomial").setMaxIter(200)
        .setRegParam(regParam).setElasticNetParam(0).fit(train);
    List<Row> predictions = model.transform(test).select("label", "prediction").collectAsList();
    int correct = 0;
    int[] hits = new int[classes];
    int[] counts = new int[classes];
    for (Row r : predictions) {
      int label = (int) r.getDouble(0);
      boolean ok = r.getDouble(1) == r.getDouble(0);
      correct += ok ? 1 : 0;
      counts[label]++;
      hits[label] += ok ? 1 : 0;
    }
    double recall = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      if (counts[c] > 0) {
        recall += hits[c] / (double) counts[c];
        present++;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("acc1", correct / (double) predictions.size());
    out.put("mean_per_class_recall", recall / present);
    return out;
  }
}
