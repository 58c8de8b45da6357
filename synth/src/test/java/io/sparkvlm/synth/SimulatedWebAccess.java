package io.sparkvlm.synth;

/** Test access to the simulated web's generated payloads. */
public final class SimulatedWebAccess {
  private SimulatedWebAccess() {}

  public static byte[] bombPng() {
    return SimulatedWeb.bombPng();
  }
}
