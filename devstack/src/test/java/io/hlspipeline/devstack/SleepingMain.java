package io.hlspipeline.devstack;

import java.util.concurrent.locks.LockSupport;

/** A child main that announces itself and then sleeps until killed. */
public final class SleepingMain {
  private SleepingMain() {}

  public static void main(String[] args) {
    System.out.println("sleeping");
    System.out.flush();
    while (true) {
      LockSupport.park();
    }
  }
}
