/** The radio model shared by the simulator, the HCI emulator and the testing toolkit. */
export * from "./path-loss";
