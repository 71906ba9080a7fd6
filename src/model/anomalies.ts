/**
 * Names of the counters in `ProcessTimeline.anomalies`: events that did not fit the state
 * machine. Each is counted on the process of the thread concerned and the machine goes on in
 * the state the event implies (never a throw: real recordings lose and reorder events).
 */
export const Anomaly = {
  /** take_gil returned but its entry was not seen: the thread holds from the return on, no wait is recorded. */
  takeReturnWithoutEnter: 'take_return_without_enter',
  /** take_gil returned twice without a drop in between: ignored. */
  takeReturnWhileHolding: 'take_return_while_holding',
  /** take_gil entered while holding: its drop was lost; the hold ends here (no Drop is recorded). */
  takeEnterWhileHolding: 'take_enter_while_holding',
  /** take_gil entered again while waiting: return and drop were lost; the old wait is cut here. */
  takeEnterWhileWaiting: 'take_enter_while_waiting',
  /** drop_gil entered by a thread that did not hold: its take was lost; ignored. */
  dropWhileNotHolding: 'drop_while_not_holding',
  /**
   * drop_gil entered while waiting in take_gil: CPython does this when a thread must exit during
   * finalization (it takes the GIL inside take_gil, drops it and exits without returning).
   * The wait ends here and the Drop is recorded.
   */
  dropWhileWaiting: 'drop_while_waiting',
  /** A thread took a GIL someone else held: the previous holder's drop was lost; it is set to none. */
  secondHolder: 'second_holder',
  /** A thread ended inside take_gil (daemon threads at interpreter shutdown). */
  exitWhileWaiting: 'exit_while_waiting',
  /** A thread other than the main one ended holding the GIL: the hold ends at the exit. */
  exitWhileHolding: 'exit_while_holding',
  /** GIL events of a thread after its exit (its exit or a new start was mis-ordered or lost): ignored. */
  eventsAfterExit: 'events_after_exit',
  /** thread_start for a thread that is alive and already seen: ignored. */
  duplicateThreadStart: 'duplicate_thread_start',
  /**
   * The first contradiction in a thread's GIL events after the recording lost events: counted
   * under this name instead of its own, because the lost events explain it.
   */
  lostEventsResync: 'lost_events_resync',
  /** An event earlier than the one before it: its time is raised to keep tracks ordered. */
  outOfOrderEvents: 'out_of_order_events',
  /**
   * A switch-out of a thread not known to be running, a switch-in of one already running, or a
   * waking in the context of one not known to be running (its switch-in was not recorded).
   */
  switchMismatch: 'switch_mismatch',
  /**
   * A GIL event of a thread the scheduler events say is not running: its switch-in (and
   * waking) were not recorded. The thread is running from the GIL event on.
   */
  gilEventOffCpu: 'gil_event_off_cpu',
  /** A kept thread without any scheduler event: it is taken as running from its first GIL event (CPU states unknown). */
  noSchedulerEvents: 'no_scheduler_events',
} as const;

export type AnomalyName = (typeof Anomaly)[keyof typeof Anomaly];
