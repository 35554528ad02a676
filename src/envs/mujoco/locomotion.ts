/**
 * What Gymnasium's v4 locomotion tasks share (half_cheetah_v4.py, hopper_v4.py,
 * walker2d_v4.py, ant_v4.py, with their default arguments): the reward is the forward
 * velocity along x, minus a control cost, plus (for the robots that can fall) a healthy
 * reward; the observation is qpos without the leading position coordinates, then qvel.
 *
 * Each step reports its reward terms in `info`, with Gymnasium v5's names: reward_forward,
 * reward_ctrl (the cost, negated), reward_survive (the healthy reward), and x_position,
 * x_velocity. reward = (reward_forward + reward_survive) + reward_ctrl, in that order.
 */
import { describe } from '../../check/is.js';
import { MujocoEnv, type MujocoEnvOptions, type MujocoEnvState } from './env.js';

export interface LocomotionOptions extends MujocoEnvOptions {
  /** ctrl_cost_weight: the cost is this times the sum of the squared action. */
  ctrlCostWeight: number;
  /**
   * healthy_reward, paid on every step: with terminate_when_unhealthy (the v4 default)
   * Gymnasium pays it unconditionally, the last, unhealthy step included. null: the robot
   * cannot fall, there is no such term, and the episode never terminates (HalfCheetah).
   */
  healthyReward: number | null;
  /** How many leading qpos entries the observation leaves out (x; or x and y). */
  excludedQpos: number;
  /** Observed velocities are clipped to [-qvelClip, qvelClip] (Hopper and Walker2d: 10). */
  qvelClip?: number;
  /**
   * The body whose frame's x is the robot's position (Ant: 'torso', Gymnasium's
   * get_body_com); without it, qpos[0] (the root x slide).
   */
  xBody?: string;
}

export interface LocomotionState extends MujocoEnvState {
  /**
   * The x position the next step's velocity is measured from. For Ant it is the torso's
   * xpos as the last mj_step left it (RK4's last stage, not what the new qpos gives), which
   * is what Gymnasium measures from.
   */
  x_position: number;
}

export abstract class Locomotion extends MujocoEnv {
  private readonly ctrlCostWeight: number;
  private readonly healthyReward: number | null;
  private readonly excludedQpos: number;
  private readonly qvelClip: number;
  /** Where xPosition() reads: an index into xpos, or -1 for qpos[0]. */
  private readonly xIndex: number;
  private xBefore: number;

  constructor(o: LocomotionOptions) {
    const { ctrlCostWeight, healthyReward, excludedQpos, qvelClip, xBody, ...env } = o;
    super(env);
    this.ctrlCostWeight = ctrlCostWeight;
    this.healthyReward = healthyReward;
    this.excludedQpos = excludedQpos;
    this.qvelClip = qvelClip ?? Infinity;
    this.xIndex = xBody === undefined ? -1 : 3 * this.bodyId(xBody);
    const size = this.model.nq - excludedQpos + this.model.nv;
    if (size !== o.observationSize) throw new RangeError(`${o.name}: the model gives ${size} observation values (nq ${this.model.nq} - ${excludedQpos} + nv ${this.model.nv}), not ${o.observationSize}`);
    this.xBefore = this.xPosition();
  }

  /** The x coordinate whose change per second is the forward velocity. */
  private xPosition(): number {
    return this.xIndex < 0 ? this.qpos[0]! : this.xpos[this.xIndex]!;
  }

  /** Whether the robot is still upright (healthy); always, unless a subclass says otherwise. */
  protected isHealthy(): boolean {
    return true;
  }

  override reset(seed?: number): Float64Array {
    const o = super.reset(seed);
    this.xBefore = this.xPosition();
    return o;
  }

  override getState(): LocomotionState {
    return { ...super.getState(), x_position: this.xBefore };
  }

  override setState(saved: unknown): void {
    // MujocoEnv.setState refuses what is not an object, and checks its own fields first.
    const x = (saved as Partial<LocomotionState> | null)?.x_position;
    if (saved !== null && typeof saved === 'object' && !Array.isArray(saved) && !(typeof x === 'number' && Number.isFinite(x)))
      throw new RangeError(`${this.name}.setState: 'x_position' must be a finite number, got ${describe(x)}`);
    super.setState(saved);
    this.xBefore = x!;
  }

  protected override isTerminated(): boolean {
    return this.healthyReward !== null && !this.isHealthy();
  }

  protected observe(out: Float64Array): void {
    const qpos = this.qpos, qvel = this.qvel, skip = this.excludedQpos, clip = this.qvelClip;
    let j = 0;
    for (let i = skip; i < qpos.length; i++) out[j++] = qpos[i]!;
    for (let i = 0; i < qvel.length; i++) out[j++] = Math.min(Math.max(qvel[i]!, -clip), clip);
  }

  protected reward(action: Float32Array, info: Record<string, number>): number {
    const x = this.xPosition();
    const xVelocity = (x - this.xBefore) / this.dt;
    this.xBefore = x;
    let sumSq = 0;
    for (let i = 0; i < action.length; i++) sumSq += action[i]! * action[i]!;
    const ctrlCost = this.ctrlCostWeight * sumSq;
    info.x_position = x;
    info.x_velocity = xVelocity;
    info.reward_forward = xVelocity;
    info.reward_ctrl = -ctrlCost;
    if (this.healthyReward === null) return xVelocity - ctrlCost;
    info.reward_survive = this.healthyReward;
    return xVelocity + this.healthyReward - ctrlCost;
  }
}
